//go:build matprofile

// Package matcheck fails a test binary that leaves gocv Mats open. It works
// when tests are built with -tags matprofile (as make test does); without the
// tag gocv keeps no count and Main only runs the tests.
package matcheck

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"gocv.io/x/gocv"
)

// Main runs the tests, then fails if any Mat is still open.
func Main(m *testing.M) {
	code := m.Run()
	if n := gocv.MatProfile.Count(); n != 0 {
		var b bytes.Buffer
		_ = gocv.MatProfile.WriteTo(&b, 1)
		fmt.Fprintf(os.Stderr, "matcheck: %d Mats left open:\n%s\n", n, b.String())
		code = 1
	}
	os.Exit(code)
}

// Count returns how many Mats are open now.
func Count() int { return gocv.MatProfile.Count() }
