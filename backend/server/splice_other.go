//go:build !linux

package server

// frameSplicer writes with plain writes where there is no splice(2).
type frameSplicer struct{}

func (*frameSplicer) write(fd uintptr, p []byte) int { return writeFD(fd, p) }

func (*frameSplicer) close() {}
