package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A command of the docs run as a process of its own (runDoc), watched
// until it says it serves.

// docProc is a docs command that keeps running: a server or a relay.
type docProc struct {
	c      docCommand
	cmd    *exec.Cmd
	out    *watchedBuffer
	exited chan struct{} // closed once the process has ended
	err    error         // its exit, once exited is closed
}

// runDoc runs c. A command that ends must exit 0 (runDoc then returns
// nil); one that serves must say so, answer on the address it names, and
// with --push say it pushes, all within bounded times.
func runDoc(t *testing.T, dir string, env []string, c docCommand) *docProc {
	t.Helper()
	p := &docProc{c: c, out: newWatchedBuffer(), exited: make(chan struct{})}
	p.cmd = exec.Command("bash", "-c", c.text)
	p.cmd.Dir, p.cmd.Env = dir, env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	// What serve and relay print once they serve.
	started := p.waitFor(t, 60*time.Second, "Press Ctrl+C to stop.", "viewers open")
	if !started {
		if p.err != nil {
			t.Fatalf("%s: %s\n%v:\n%s", c.where, c.text, p.err, p.out)
		}
		t.Logf("%s: ran %s", c.where, c.text)
		return nil
	}
	base, link := servedAt(p.out.String())
	if base == "" {
		p.kill()
		t.Fatalf("%s: %s names no address it serves on:\n%s", c.where, c.text, p.out)
	}
	for _, u := range []string{base + "/healthz", link} {
		if u == "" {
			continue
		}
		if err := getOK(u); err != nil {
			p.kill()
			t.Fatalf("%s: %s: GET %s: %v\n%s", c.where, c.text, u, err, p.out)
		}
	}
	if strings.Contains(c.text, "--push") && !p.waitFor(t, 30*time.Second, "Pushing to the relay at") {
		p.kill()
		t.Fatalf("%s: %s did not push within 30 s:\n%s", c.where, c.text, p.out)
	}
	t.Logf("%s: serving at %s: %s", c.where, base, c.text)
	return p
}

// servedAt finds the first address the output names, as a base URL
// (scheme://host:port), and the first viewer link with a token.
func servedAt(out string) (base, link string) {
	m := regexp.MustCompile(`(https?)://(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):(\d+)/\S*`).FindAllStringSubmatch(out, -1)
	for _, s := range m {
		if base == "" {
			base = s[1] + "://" + s[2] + ":" + s[3]
		}
		if link == "" && strings.Contains(s[0], "/?token=") && !strings.Contains(s[0], "<") {
			link = s[0]
		}
	}
	return base, link
}

// getOK fetches u (trusting any certificate: --tls auto makes its own) and
// wants a 200 within 10 s.
func getOK(u string) error {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a self-signed loopback server
	}}
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// waitFor waits until the output has one of markers (true), the process
// ends, or d passes (false either way).
func (p *docProc) waitFor(t *testing.T, d time.Duration, markers ...string) bool {
	t.Helper()
	deadline := time.After(d)
	for {
		changed := p.out.changed()
		s := p.out.String()
		for _, m := range markers {
			if strings.Contains(s, m) {
				return true
			}
		}
		select {
		case <-p.exited:
			s = p.out.String()
			for _, m := range markers {
				if strings.Contains(s, m) {
					return true
				}
			}
			return false
		case <-changed:
		case <-deadline:
			return false
		}
	}
}

// stop sends SIGTERM and wants a clean exit 0 within 15 s.
func (p *docProc) stop(t *testing.T) {
	t.Helper()
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("%s: %s: after SIGTERM: %v, want exit 0:\n%s", p.c.where, p.c.text, p.err, p.out)
		}
	case <-time.After(15 * time.Second):
		p.kill()
		t.Errorf("%s: %s: still running 15 s after SIGTERM", p.c.where, p.c.text)
	}
}

// kill ends the process group at once, for a test that failed.
func (p *docProc) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

// watchedBuffer is a process's output, written by its copying goroutines
// and read by the test; changed() tells when more came.
type watchedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	wake chan struct{} // closed at the next write; guarded by mu
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{wake: make(chan struct{})} }

func (w *watchedBuffer) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() < 1<<20 { // bounded: a chatty process is cut, not buffered without end
		w.buf.Write(b)
	}
	close(w.wake)
	w.wake = make(chan struct{})
	return len(b), nil
}

func (w *watchedBuffer) changed() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.wake
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
