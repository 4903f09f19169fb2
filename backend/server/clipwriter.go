package server

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errClipCut is what a clip download's writes answer once its link ended.
var errClipCut = errors.New("the clip download was cut off: its link ended")

// clipWriter is a clip download's ResponseWriter: it counts the body's
// bytes for the audit, and once cut (its link revoked or expired, or the
// stream's own link replaced) every write fails and a write waiting on a
// stalled viewer gives up at once, so http.ServeContent returns and the
// connection, its answer cut short, is closed.
type clipWriter struct {
	http.ResponseWriter
	rc   *http.ResponseController
	sent atomic.Uint64 // the body's bytes written so far
	// cutC is closed by cut; the clip's reads (paced) stop on it too.
	cutC chan struct{}

	mu   sync.Mutex
	cut  bool // guarded by mu
	done bool // the handler returned: the connection may serve another request; guarded by mu
}

func newClipWriter(w http.ResponseWriter) *clipWriter {
	return &clipWriter{ResponseWriter: w, rc: http.NewResponseController(w), cutC: make(chan struct{})}
}

func (c *clipWriter) Write(b []byte) (int, error) {
	select {
	case <-c.cutC:
		return 0, errClipCut
	default:
	}
	n, err := c.ResponseWriter.Write(b)
	c.sent.Add(uint64(n))
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (c *clipWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// stop is the download's Cut: it must not block, and it may come from
// another goroutine at any time, even after the handler returned.
func (c *clipWriter) stop(string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut || c.done {
		return
	}
	c.cut = true
	close(c.cutC)
	// A write blocked on a viewer that stopped reading returns now.
	_ = c.rc.SetWriteDeadline(time.Now())
}

// finish is called as the handler returns: a cut from then on leaves the
// connection alone. A download that was cut gets its deadline in the past
// again (a clip's read may have moved it since), so what the server still
// has buffered is not waited for.
func (c *clipWriter) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = true
	if c.cut {
		_ = c.rc.SetWriteDeadline(time.Now())
	}
}
