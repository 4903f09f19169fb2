// Package testproc watches what tests start: it collects what a child
// process or goroutines write while the test reads it (Buffer), and stops
// the commands (serve, the relay) as a person or a service manager would:
// by a signal, expecting a graceful exit.
package testproc

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Buffer collects what a child process or goroutines write (its output, a
// logger's lines), which may go on after the test's own t.Log may not,
// while the test reads it. The zero value is ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer // guarded by mu
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

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
