//go:build unix

package client

import (
	"fmt"
	"syscall"
)

// receiveBuffer sets a socket's kernel receive buffer (SO_RCVBUF) to size
// bytes, as a net.Dialer's Control, so before it connects.
func receiveBuffer(size int) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, size)
		}); err != nil {
			return err
		}
		if serr != nil {
			return fmt.Errorf("set receive buffer to %d bytes: %w", size, serr)
		}
		return nil
	}
}
