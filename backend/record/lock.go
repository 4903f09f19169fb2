package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockName is the file a Store holds a lock on while open.
const lockName = ".lock"

// ErrInUse says another program (another framecast serve, or the desktop
// app) records into the folder: two stores on one folder would repair
// each other's open segments and delete each other's files.
var ErrInUse = errors.New("another framecast records into this folder (serve or the desktop app); give each its own folder")

// lockDir takes dir's lock, held until the file is closed; the kernel
// lets it go when the process ends, however it ends.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("record: %w", ErrInUse)
		}
		return nil, fmt.Errorf("record: lock %s: %w", dir, err)
	}
	return f, nil
}
