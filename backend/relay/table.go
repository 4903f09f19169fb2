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
type Table interface {
	// Publish returns the stream called name for a producer, making it if
	// it is new, and sets its view token.
	Publish(name, viewToken string) *Stream
	// Lookup returns the stream called name, or nil.
	Lookup(name string) *Stream
	// Names lists the streams.
	Names() []string
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
// stream the first time a name is published.
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
			t.mu.Lock()
			for name, s := range t.streams {
				if !s.idle() {
					delete(t.idle, name)
					continue
				}
				since, seen := t.idle[name]
				switch {
				case !seen:
					t.idle[name] = now
				case now.Sub(since) >= t.ttl:
					s.close("the stream was idle")
					delete(t.streams, name)
					delete(t.idle, name)
				}
			}
			t.mu.Unlock()
		}
	}
}

func (t *memTable) Publish(name, viewToken string) *Stream {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.idle, name) // a producer is coming: the idle clock starts again
	if s, ok := t.streams[name]; ok {
		s.setViewToken(viewToken)
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

func (t *memTable) Names() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.streams))
	for n := range t.streams {
		names = append(names, n)
	}
	return names
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
