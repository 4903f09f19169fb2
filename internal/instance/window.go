package instance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// socketName is the window's socket, beside the lock in the settings folder.
const socketName = "window.sock"

// The socket's requests and answers are one line each: a later start sends
// showRequest and the window answers okAnswer once it has been raised, or
// "error: …" to anything else.
const (
	showRequest = "show"
	okAnswer    = "ok"
	// maxLine bounds a line, its newline left out.
	maxLine = 64
)

const (
	// readWait bounds how long a connection may take to send its request:
	// a later start sends it as soon as it connects.
	readWait = time.Second
	// reachWait bounds how long a later start tries to reach the window,
	// as the window may be starting or the folder's process hung.
	reachWait = 2 * time.Second
	// retryEvery is how often a later start tries again within reachWait.
	retryEvery = 50 * time.Millisecond
	// maxConns is how many connections are served at once; more are
	// closed unread.
	maxConns = 8
)

// ErrShown is returned by Open when another process had the folder and
// brought its window to the front: this one has nothing to do.
var ErrShown = errors.New("the open window was brought to the front")

// Window is this process's window's claim on a settings folder: the
// folder's lock, and the socket a later start reaches it on. Close gives
// both up.
type Window struct {
	lock *os.File
	ln   *net.UnixListener
	log  *slog.Logger
	done chan struct{} // closed when the accept loop has returned

	mu    sync.Mutex
	raise func()                // what a show request calls; nil: nothing yet. Guarded by mu
	conns map[net.Conn]struct{} // the connections being served; guarded by mu
	wg    sync.WaitGroup        // their goroutines
}

// Open claims dir (made if need be) for this process's window. When another
// process has it, Open asks that one to bring its window to the front and
// returns ErrShown once it did; when it does not answer within reachWait
// (hung, or a Framecast without the socket), an error naming dir. Nothing
// in dir is changed then.
func Open(dir string, log *slog.Logger) (*Window, error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "instance")
	sock := filepath.Join(dir, socketName)
	deadline := time.Now().Add(reachWait)
	for {
		lock, err := LockDir(dir)
		if err == nil {
			return listen(sock, lock, log)
		}
		if !errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("settings folder %s: %w", dir, err)
		}
		// The holder may be between taking the lock and listening, or
		// just gone: the lock and then the socket are tried again.
		err = show(sock, deadline)
		if err == nil {
			return nil, ErrShown
		}
		var refused *refusedError
		if errors.As(err, &refused) || !time.Now().Add(retryEvery).Before(deadline) {
			return nil, fmt.Errorf("another Framecast window has %s open; close it first (it did not come to the front: %w)", dir, err)
		}
		time.Sleep(retryEvery)
	}
}

// listen makes the window's socket at path, holding the folder's lock, and
// starts serving it.
func listen(path string, lock *os.File, log *slog.Logger) (*Window, error) {
	// With the lock held nobody else uses the socket: one left behind by a
	// process that was killed is made again.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		lock.Close()
		return nil, fmt.Errorf("window socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("window socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		lock.Close()
		return nil, fmt.Errorf("window socket: %w", err)
	}
	w := &Window{lock: lock, ln: ln, log: log, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	go w.accept()
	return w, nil
}

// OnShow sets what a later start's request calls: raise the window. Until
// it is set, requests are answered as done: the window is on its way up.
func (w *Window) OnShow(raise func()) {
	w.mu.Lock()
	w.raise = raise
	w.mu.Unlock()
}

// Close stops serving the socket, removes it and gives up the folder.
func (w *Window) Close() error {
	err := w.ln.Close()
	<-w.done
	w.mu.Lock()
	for c := range w.conns {
		c.Close()
	}
	w.mu.Unlock()
	w.wg.Wait()
	return errors.Join(err, w.lock.Close())
}

// accept serves the socket's connections, at most maxConns at a time,
// until the listener is closed.
func (w *Window) accept() {
	defer close(w.done)
	for {
		c, err := w.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of descriptors, say: the window goes on, and so do later
			// tries.
			w.log.Warn("window socket", "err", err)
			time.Sleep(retryEvery)
			continue
		}
		w.mu.Lock()
		full := len(w.conns) >= maxConns
		if !full {
			w.conns[c] = struct{}{}
			w.wg.Add(1)
		}
		w.mu.Unlock()
		if full {
			c.Close()
			continue
		}
		go w.serve(c)
	}
}

// serve answers one connection's request.
func (w *Window) serve(c net.Conn) {
	defer func() {
		c.Close()
		w.mu.Lock()
		delete(w.conns, c)
		w.mu.Unlock()
		w.wg.Done()
	}()
	if err := c.SetDeadline(time.Now().Add(readWait)); err != nil {
		return
	}
	line, err := readLine(c)
	switch {
	case err != nil:
		w.log.Debug("window socket: no request", "err", err)
		_, _ = io.WriteString(c, "error: "+err.Error()+"\n")
	case line == showRequest:
		w.mu.Lock()
		raise := w.raise
		w.mu.Unlock()
		if raise != nil {
			raise()
		}
		w.log.Info("Framecast was started again: the window was brought to the front")
		_, _ = io.WriteString(c, okAnswer+"\n")
	default:
		w.log.Debug("window socket: unknown request", "bytes", len(line))
		_, _ = io.WriteString(c, "error: unknown request\n")
	}
}

// refusedError is the window's answer to a request it refused.
type refusedError struct{ answer string }

func (e *refusedError) Error() string { return fmt.Sprintf("it answered %q", e.answer) }

// show asks the window listening on path to come to the front, and waits
// for its answer until deadline.
func show(path string, deadline time.Time) error {
	d := net.Dialer{Deadline: deadline}
	c, err := d.Dial("unix", path)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(deadline); err != nil {
		return err
	}
	if _, err := io.WriteString(c, showRequest+"\n"); err != nil {
		return err
	}
	line, err := readLine(c)
	if err != nil {
		return err
	}
	if line != okAnswer {
		return &refusedError{answer: line}
	}
	return nil
}

// errTooLong is the answer to a line over maxLine.
var errTooLong = fmt.Errorf("a line is at most %d bytes", maxLine)

// readLine reads one line of at most maxLine bytes from r, without its
// newline.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxLine+1)).ReadString('\n')
	if err != nil {
		if len(line) > maxLine {
			return "", errTooLong
		}
		if errors.Is(err, io.EOF) {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}
