//go:build !linux

package directwrite

// Splicer writes with plain writes where there is no splice(2).
type Splicer struct{}

func (*Splicer) write(fd uintptr, p []byte) int { return writeFD(fd, p) }

func (*Splicer) Close() {}
