package relay

import (
	"sync"
	"time"
)

// idleStreamTTL is how long a stream with no producer and no viewers is
// kept (so a producer that reconnects finds its viewers' link still valid)
// before it is forgotten.
const idleStreamTTL = 10 * time.Minute

// Table is the relay's set of streams. It is an interface so that a later
// version can spread streams over several relays (on NATS, say) without
// touching the hub or the ingest code: a distributed Table would return
// Streams whose frames come from the machine their producer is on.
//
// A Table only makes and forgets streams: who produces a stream, and with
// which view token, is the Stream's to decide (Stream.attach), once the
// producer's connection is open.
type Table interface {
	// Open returns the stream called name, making it with viewToken if it
	// is new. An existing stream is returned as it is.
	Open(name, viewToken string) *Stream
	// Lookup returns the stream called name, or nil.
	Lookup(name string) *Stream
	// Streams lists the streams.
	Streams() []*Stream
	// Close ends every stream.
	Close()
}

// memTable keeps the streams of one relay process in memory, and forgets
// those idle for longer than ttl.
type memTable struct {
	newStream func(name, viewToken string) *Stream
	ttl       time.Duration

	mu      sync.Mutex
	streams map[string]*Stream   // guarded by mu
	idle    map[string]time.Time // when each stream was first seen idle; guarded by mu

	stop chan struct{} // closed by Close
	done chan struct{} // closed when the reaper has returned
}

// NewMemTable returns a Table in this process's memory; newStream makes a
// stream the first time a name is opened.
func NewMemTable(newStream func(name, viewToken string) *Stream) Table {
	return newMemTable(newStream, idleStreamTTL)
}

func newMemTable(newStream func(name, viewToken string) *Stream, ttl time.Duration) *memTable {
	t := &memTable{newStream: newStream, ttl: ttl, streams: make(map[string]*Stream),
		idle: make(map[string]time.Time), stop: make(chan struct{}), done: make(chan struct{})}
	go t.reap()
	return t
}

// reap forgets streams that have had no producer and no viewers for ttl.
func (t *memTable) reap() {
	defer close(t.done)
	tick := time.NewTicker(max(t.ttl/10, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case now := <-tick.C:
			t.reapIdle(now)
		}
	}
}

func (t *memTable) reapIdle(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, s := range t.streams {
		if !s.idle() {
			delete(t.idle, name)
			continue
		}
		since, seen := t.idle[name]
		switch {
		case !seen:
			t.idle[name] = now
		case now.Sub(since) >= t.ttl && s.forget():
			delete(t.streams, name)
			delete(t.idle, name)
		}
	}
}

func (t *memTable) Open(name, viewToken string) *Stream {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.idle, name) // a producer is coming: the idle clock starts again
	if s, ok := t.streams[name]; ok {
		return s
	}
	s := t.newStream(name, viewToken)
	t.streams[name] = s
	return s
}

func (t *memTable) Lookup(name string) *Stream {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.streams[name]
}

func (t *memTable) Streams() []*Stream {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*Stream, 0, len(t.streams))
	for _, s := range t.streams {
		out = append(out, s)
	}
	return out
}

func (t *memTable) Close() {
	close(t.stop)
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.streams {
		s.close("the relay is shutting down")
	}
	t.streams = map[string]*Stream{}
}
