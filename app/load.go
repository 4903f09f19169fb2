package app

import (
	"errors"
	"io/fs"
	"os"

	"framecast/backend/config"
)

// load reads the saved settings. The first time (no file yet) the camera
// shows the first device find reports, if there is one; find is injected
// so tests never open a real camera. Warnings say what was wrong with the
// file, for the person to see.
func load(store config.Store, find func() ([]Device, error)) (config.Settings, []string) {
	_, statErr := os.Stat(store.Path)
	firstRun := errors.Is(statErr, fs.ErrNotExist)
	s, warnings := store.Load()
	if firstRun && find != nil {
		if devs, err := find(); err == nil && len(devs) > 0 {
			s.Cameras[0].Stream.Source = devs[0].Spec
		}
	}
	return s, warnings
}
