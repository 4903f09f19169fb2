package station

import (
	"errors"
	"io/fs"
	"os"

	"framecast/backend/config"
	"framecast/backend/source"
)

// Load reads the desktop's saved settings. The first time (no file yet) the
// stream shows the first camera find reports, if there is one; find is
// injected so tests never open a real camera. Warnings say what was wrong
// with the file, for the person to see.
func Load(store config.Store, find func() ([]source.Camera, error)) (config.Settings, []string) {
	_, statErr := os.Stat(store.Path)
	firstRun := errors.Is(statErr, fs.ErrNotExist)
	s, warnings := store.Load()
	if firstRun && find != nil {
		if cams, err := find(); err == nil && len(cams) > 0 {
			s.Stream.Source = cams[0].Spec
		}
	}
	return s, warnings
}
