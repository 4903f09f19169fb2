package httpx

import (
	"io"
	"sync"
	"time"
)

// closeGrace is how long Close lets hijacked handlers finish on their own
// (a viewer told why it is closed, a producer kicked) before it closes
// their connections under them: a peer that stopped reading must not hold
// up shutdown for a whole write deadline.
const closeGrace = time.Second

// Tracker counts the handlers of hijacked connections (WebSocket viewers,
// producers), which http.Server.Shutdown neither closes nor waits for, so
// that Close can wait for every one of them to return.
type Tracker struct {
	mu     sync.Mutex
	closed bool                   // guarded by mu
	conns  map[io.Closer]struct{} // guarded by mu
	wg     sync.WaitGroup
}

// Add registers a handler and its connection; false once Close has begun:
// the handler must then close the connection and return.
func (t *Tracker) Add(c io.Closer) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	if t.conns == nil {
		t.conns = make(map[io.Closer]struct{})
	}
	t.conns[c] = struct{}{}
	t.wg.Add(1)
	return true
}

// Done is called by a handler registered with Add when it has returned
// everything it started.
func (t *Tracker) Done(c io.Closer) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
	t.wg.Done()
}

// Close refuses new handlers and waits for the registered ones: closeGrace
// for them to end by themselves, then their connections are closed and
// they are waited for.
func (t *Tracker) Close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(closeGrace):
	}
	t.mu.Lock()
	for c := range t.conns {
		_ = c.Close()
	}
	t.mu.Unlock()
	<-done
}
