// Package instance keeps one Framecast to a settings folder: a lock on the
// folder, and for the desktop app a socket in it that a later start uses to
// bring the open window to the front instead of opening a second.
package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrLocked is returned by LockDir when another process holds the folder.
var ErrLocked = errors.New("the folder is in use by another process")

// LockDir makes dir (0700) and takes an exclusive lock on dir/.lock without
// waiting. The lock lasts until the file is closed or the process ends,
// however it ends: a killed process leaves nothing to clean up.
func LockDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return f, nil
}
