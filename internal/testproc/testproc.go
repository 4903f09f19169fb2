// Package testproc stops the commands tests start (serve, the relay) as a
// person or a service manager would: by a signal, expecting a graceful exit.
package testproc

import (
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// SignalAtBanner starts cmd, sends it sig as soon as the first byte of its
// standard output (its banner) comes, and fails the test, naming run,
// unless cmd then exits 0 within d. cmd's Stdout must be unset.
func SignalAtBanner(t testing.TB, run string, cmd *exec.Cmd, sig os.Signal, d time.Duration) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := stdout.Read(make([]byte, 1)); err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("%s: no banner: %v", run, err)
	}
	go io.Copy(io.Discard, stdout) //nolint:errcheck // only drained
	Stop(t, run+": right after the banner", cmd, sig, d)
}

// Stop sends a started cmd sig and fails the test, naming what, unless cmd
// exits 0 within d.
func Stop(t testing.TB, what string, cmd *exec.Cmd, sig os.Signal, d time.Duration) {
	t.Helper()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: after %v: %v, want a graceful exit 0", what, sig, err)
		}
	case <-time.After(d):
		_ = cmd.Process.Kill()
		t.Fatalf("%s: did not stop on %v within %v", what, sig, d)
	}
}
