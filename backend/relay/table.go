package relay

import (
	"sync"
)

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

// memTable keeps the streams of one relay process in memory.
type memTable struct {
	newStream func(name, viewToken string) *Stream

	mu      sync.Mutex
	streams map[string]*Stream // guarded by mu
}

// NewMemTable returns a Table in this process's memory; newStream makes a
// stream the first time a name is published.
func NewMemTable(newStream func(name, viewToken string) *Stream) Table {
	return &memTable{newStream: newStream, streams: make(map[string]*Stream)}
}

func (t *memTable) Publish(name, viewToken string) *Stream {
	t.mu.Lock()
	defer t.mu.Unlock()
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
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.streams {
		s.close("the relay is shutting down")
	}
	t.streams = map[string]*Stream{}
}
