//go:build unix

package httpx

import "syscall"

// openFilesLimit is how many files the process may have open (the soft
// RLIMIT_NOFILE, which Go raises to the hard one at start), or 0 when it
// cannot be read.
func openFilesLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return uint64(r.Cur) //nolint:unconvert // int64 on some systems
}
