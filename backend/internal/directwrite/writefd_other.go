//go:build !unix

package directwrite

// writeFD never writes here: every frame goes through the viewer's writer.
func writeFD(uintptr, []byte) int { return -1 }
