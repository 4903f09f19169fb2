package instance

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// helperEnv names the folder a child process of this test binary opens
// its window on (TestHelperWindow).
const helperEnv = "INSTANCE_HELPER_DIR"

// TestHelperWindow is the child process of the tests that need another
// process: it opens a window on the folder, says "ready", prints "raised"
// on each show request, and waits to be killed.
func TestHelperWindow(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("only run as a child of the tests")
	}
	w, err := Open(dir, nil)
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(1)
	}
	w.OnShow(func() { os.Stdout.WriteString("raised\n") })
	os.Stdout.WriteString("ready\n")
	select {}
}

// startHelper starts a child process with a window open on dir, and
// returns it once the window is listening, with its output's lines.
func startHelper(t *testing.T, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWindow$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("the child's window did not open: %q %v", lines.Text(), lines.Err())
	}
	return cmd, lines
}

// raiser counts the raises of a window and signals each.
type raiser struct {
	n    atomic.Int32
	more chan struct{}
}

func newRaiser() *raiser { return &raiser{more: make(chan struct{}, 16)} }

func (r *raiser) raise() {
	r.n.Add(1)
	r.more <- struct{}{}
}

// openFirst opens the first window on dir, counting its raises.
func openFirst(t *testing.T, dir string) (*Window, *raiser) {
	t.Helper()
	w, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("the first window: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	r := newRaiser()
	w.OnShow(r.raise)
	return w, r
}

// names lists dir's entries.
func names(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, e := range es {
		s = append(s, e.Name())
	}
	return strings.Join(s, " ")
}

func TestASecondStartOnTheFolderRaisesTheFirstWindowOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "framecast")
	first, r := openFirst(t, dir)
	before := names(t, dir)
	for i := 1; i <= 2; i++ {
		w, err := Open(dir, nil)
		if !errors.Is(err, ErrShown) {
			if w != nil {
				w.Close()
			}
			t.Fatalf("start %d: %v, want ErrShown", i+1, err)
		}
		if got := r.n.Load(); got != int32(i) {
			t.Fatalf("after start %d the window was raised %d times, want %d", i+1, got, i)
		}
	}
	if after := names(t, dir); after != before {
		t.Errorf("the later starts changed the folder: %q, then %q", before, after)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, socketName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket is left after Close: %v", err)
	}
	// Closed, the folder is free for the next window.
	w, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("a start after the first closed: %v", err)
	}
	w.Close()
}

func TestAStartReachesAWindowOfAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	_, lines := startHelper(t, dir)
	if _, err := Open(dir, nil); !errors.Is(err, ErrShown) {
		t.Fatalf("Open: %v, want ErrShown", err)
	}
	if !lines.Scan() || lines.Text() != "raised" {
		t.Fatalf("the child said %q, want raised", lines.Text())
	}
}

func TestTheSocketOfAKilledWindowDoesNotStopTheNextOne(t *testing.T) {
	dir := t.TempDir()
	child, _ := startHelper(t, dir)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	if _, err := os.Stat(filepath.Join(dir, socketName)); err != nil {
		t.Fatalf("the killed window left no socket to test with: %v", err)
	}
	_, r := openFirst(t, dir)
	if _, err := Open(dir, nil); !errors.Is(err, ErrShown) {
		t.Fatalf("a start after the new window: %v, want ErrShown", err)
	}
	if r.n.Load() != 1 {
		t.Errorf("the new window was raised %d times, want 1", r.n.Load())
	}
}

func TestAFolderWhoseWindowDoesNotComeToTheFrontIsRefusedNamingIt(t *testing.T) {
	cases := []struct {
		name string
		// hold takes dir as another process would, and returns what it
		// keeps open.
		hold func(t *testing.T, dir string) []io.Closer
	}{
		{"a Framecast without the socket holds the folder", func(t *testing.T, dir string) []io.Closer {
			lock, err := LockDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			return []io.Closer{lock}
		}},
		{"a hung window never answers", func(t *testing.T, dir string) []io.Closer {
			lock, err := LockDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("unix", filepath.Join(dir, socketName))
			if err != nil {
				t.Fatal(err)
			}
			return []io.Closer{lock, ln} // connections wait in the backlog
		}},
		{"a window refuses the request", func(t *testing.T, dir string) []io.Closer {
			lock, err := LockDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("unix", filepath.Join(dir, socketName))
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					_, _ = io.WriteString(c, "error: unknown request\n")
					c.Close()
				}
			}()
			return []io.Closer{lock, ln}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, h := range c.hold(t, dir) {
				defer h.Close()
			}
			before := names(t, dir)
			start := time.Now()
			w, err := Open(dir, nil)
			took := time.Since(start)
			if err == nil {
				w.Close()
				t.Fatal("Open took the folder of another")
			}
			if errors.Is(err, ErrShown) || !strings.Contains(err.Error(), "another Framecast window has "+dir+" open; close it first") {
				t.Fatalf("Open: %v", err)
			}
			if took > reachWait+time.Second {
				t.Errorf("Open took %v to give up, want about %v", took, reachWait)
			}
			if after := names(t, dir); after != before {
				t.Errorf("the refused start changed the folder: %q, then %q", before, after)
			}
		})
	}
}

func TestHostileClientsNeitherHoldUpAShowNorRaiseTheWindow(t *testing.T) {
	dir := t.TempDir()
	_, r := openFirst(t, dir)
	sock := filepath.Join(dir, socketName)
	dial := func() net.Conn {
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// Several that never send: served one after another they would hold
	// a show past reachWait.
	for range 4 {
		dial()
	}
	hostile := []struct {
		name string
		send []byte
	}{
		{"a megabyte without a newline", bytes.Repeat([]byte("show"), 1<<18)},
		{"a line too long", append(bytes.Repeat([]byte("x"), maxLine+1), '\n')},
		{"garbage", []byte("\x00\xffshow me\n")},
		{"show without its newline, then nothing", []byte("show")},
	}
	answers := make(chan string, len(hostile))
	for _, h := range hostile {
		c := dial()
		go func() {
			_, _ = c.Write(h.send) // the window may close on it midway
			b, _ := io.ReadAll(io.LimitReader(c, 256))
			answers <- h.name + ": " + string(b)
		}()
	}
	start := time.Now()
	if _, err := Open(dir, nil); !errors.Is(err, ErrShown) {
		t.Fatalf("a start beside the hostile clients: %v, want ErrShown", err)
	}
	// Served one after another, the four silent ones alone would take
	// 4×readWait.
	if took := time.Since(start); took >= 3*readWait {
		t.Errorf("the show took %v: it waited for the hostile clients", took)
	}
	for range hostile {
		a := <-answers
		if strings.Contains(a, okAnswer+"\n") && !strings.Contains(a, "error") {
			t.Errorf("a hostile client was answered as a show: %q", a)
		}
	}
	if got := r.n.Load(); got != 1 {
		t.Errorf("the window was raised %d times, want once (the real start's)", got)
	}
}

func TestConnectionsOverTheCapAreClosedUnread(t *testing.T) {
	dir := t.TempDir()
	openFirst(t, dir)
	sock := filepath.Join(dir, socketName)
	for range maxConns {
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetReadDeadline(time.Now().Add(readWait / 2)); err != nil {
		t.Fatal(err)
	}
	// Closed at once: EOF (or a reset) well before the read deadline.
	_, err = c.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a connection over the cap was kept open")
	}
	if err == nil {
		t.Fatal("a connection over the cap was answered")
	}
}
