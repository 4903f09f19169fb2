package site

import (
	"errors"
	"fmt"
	"syscall"
)

// portError is a port that could not be opened, said in words a person acts
// on ("port 8188 is in use by another program") rather than the socket's
// ("listen tcp :8188: bind: address already in use"). The socket's error is
// kept for errors.Is.
type portError struct {
	msg string
	err error
}

func (e *portError) Error() string { return e.msg }
func (e *portError) Unwrap() error { return e.err }

// listenError phrases err from opening port, when it is one a person can act on.
func listenError(port int, err error) error {
	switch {
	case port == 0:
		return err
	case errors.Is(err, syscall.EADDRINUSE):
		return &portError{fmt.Sprintf("port %d is in use by another program: choose another", port), err}
	case errors.Is(err, syscall.EACCES):
		return &portError{fmt.Sprintf("port %d needs administrator rights (ports below 1024 do): choose one from 1024 up", port), err}
	}
	return err
}
