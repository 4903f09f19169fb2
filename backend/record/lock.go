package record

import (
	"errors"
	"fmt"
	"os"

	"framecast/internal/instance"
)

// ErrInUse says another program (another framecast serve, or the desktop
// app) records into the folder: two stores on one folder would repair
// each other's open segments and delete each other's files.
var ErrInUse = errors.New("another framecast records into this folder (serve or the desktop app); give each its own folder")

// lockDir takes dir's lock (dir/.lock), held until the file is closed; the
// kernel lets it go when the process ends, however it ends.
func lockDir(dir string) (*os.File, error) {
	f, err := instance.LockDir(dir)
	switch {
	case errors.Is(err, instance.ErrLocked):
		return nil, fmt.Errorf("record: %w", ErrInUse)
	case err != nil:
		return nil, fmt.Errorf("record: %w", err)
	}
	return f, nil
}
