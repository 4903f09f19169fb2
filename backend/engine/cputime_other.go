//go:build !unix

package engine

import "time"

// processCPU cannot be read here: costs are measured by the clock, so a
// busy machine's delays count as the stages' own.
func processCPU() (time.Duration, bool) { return 0, false }
