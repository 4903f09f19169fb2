//go:build unix

package engine

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, every thread's (OpenCV
// runs some stages on threads of its own), and whether it could be read.
// A stage's share of it tells time spent computing from time spent
// waiting for a CPU that other programs held.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
