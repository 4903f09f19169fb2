//go:build unix

package directwrite

import "syscall"

// writeFD writes p to the non-blocking socket fd once; -1 when the socket
// is full (EAGAIN) or broken.
func writeFD(fd uintptr, p []byte) int {
	n, _ := syscall.Write(int(fd), p)
	return n
}
