//go:build !unix

package httpx

// openFilesLimit is 0, unknown, where there is no RLIMIT_NOFILE: the
// connection limits are taken as they are.
func openFilesLimit() uint64 { return 0 }
