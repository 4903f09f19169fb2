// Package hub fans frames out from one producer to many viewers. Each frame is
// encoded once; every viewer has a one-frame mailbox where the newest frame
// wins, so a slow viewer never blocks the producer or the other viewers. A
// frame says what it is and holds its encoded bytes once; the wire formats
// are its consumers' (Form).
package hub

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/protocol"
)

// Hub is the fan-out point of one stream. Publish never blocks.
type Hub struct {
	mu        sync.Mutex
	subs      map[*Subscriber]struct{} // guarded by mu
	nextID    uint64                   // guarded by mu
	latest    map[string]*Frame        // the newest frame of each hub key ("" the stream's own size); guarded by mu
	status    protocol.Status          // guarded by mu
	changed   chan struct{}            // closed (and replaced) when the viewer count changes; guarded by mu
	meta      map[string]Meta          // each metadata key's newest value; guarded by mu
	taps      map[*tap]struct{}        // consumers of every frame (Tap); guarded by mu
	metaOrder uint64                   // numbers metadata values; guarded by mu

	totals counters // every viewer's, past ones too
	keys   keyRequests

	// renditions counts changes of the renditions the stream offers
	// (RenditionsChanged).
	renditions atomic.Uint64

	// fan holds, for each rendition, the newest frame not yet offered to
	// the viewers written to directly; fanning says a goroutine offers
	// them (fanOutLocked). Both guarded by mu.
	fan     map[string]fanJob
	fanning bool
}

// counters are frames and bytes sent, and frames dropped.
type counters struct {
	frames, bytes, drops atomic.Uint64
}

// Totals are a hub's counters since it was made, every viewer's together.
type Totals struct {
	FramesSent uint64 // frames written to viewers
	BytesSent  uint64 // JPEG bytes written to viewers
	Drops      uint64 // frames replaced in viewers' mailboxes before they took them
}

// New returns an empty hub whose stream starts in state idle.
func New() *Hub {
	return &Hub{
		subs:    make(map[*Subscriber]struct{}),
		latest:  make(map[string]*Frame),
		changed: make(chan struct{}),
		status:  protocol.Status{Type: "status", State: protocol.StateIdle},
	}
}

// Subscribe adds a viewer of one rendition ("" the stream's own size)
// from its first frame on. The caller must Unsubscribe it when done.
func (h *Hub) Subscribe(kind, addr, rendition string) *Subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subscribeLocked(kind, addr, rendition)
}

func (h *Hub) subscribeLocked(kind, addr, rendition string) *Subscriber {
	h.nextID++
	s := newSubscriber(h.nextID, kind, addr, &h.totals)
	if rendition != "" {
		s.SetRendition(rendition)
	}
	h.subs[s] = struct{}{}
	h.notifyLocked()
	return s
}

// Unsubscribe removes a viewer; it is safe to call twice.
func (h *Hub) Unsubscribe(s *Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		h.notifyLocked()
	}
}

func (h *Hub) notifyLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// RenditionsChanged tells every viewer that the renditions the stream
// offers changed (a relay's producer announced its ladder after viewers
// came, or a new producer offers other sizes or one): each viewer's writer
// is woken to look at them again, since a viewer of a rendition no longer
// made would otherwise wait for frames that never come.
func (h *Hub) RenditionsChanged() {
	h.renditions.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.Poke()
	}
}

// RenditionsEpoch changes each time RenditionsChanged is called: a writer
// compares it on every wake-up, for the price of an atomic load.
func (h *Hub) RenditionsEpoch() uint64 { return h.renditions.Load() }

// Count returns how many viewers are subscribed.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Changed returns a channel that is closed the next time the viewer count
// (or a tap, Tap) changes. The producer waits on it to sleep while nobody watches.
func (h *Hub) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.changed
}

// Publish offers f to every viewer of its rendition and keeps it as the
// latest frame of that rendition. Viewers that can be written to directly
// (SetDirect) get it from the hub's fan-out goroutine (fanout.go), so the
// caller never waits for their sockets.
func (h *Hub) Publish(f *Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.latest[f.Rendition] = f
	h.tapLocked(f)
	var direct []*Subscriber
	for s := range h.subs {
		if s.Rendition() != f.Rendition {
			continue
		}
		if s.direct.Load() != nil {
			direct = append(direct, s)
		} else {
			s.offerFrame(f)
		}
	}
	if len(direct) > 0 {
		h.fanOutLocked(fanJob{f: f, to: direct})
	}
}

// Taken reports every hub key some viewer or tap (Tap) takes now, "" (the
// stream's own size) among them: what a producer encodes besides its own size (the
// other keys), and which renditions' frames a relay takes from another
// relay of a cluster (those nobody here watches, full size included, are
// not sent to it).
func (h *Hub) Taken() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool)
	for s := range h.subs {
		out[s.Rendition()] = true
	}
	for t := range h.taps {
		out[t.key] = true
	}
	return out
}

// Latest returns the most recent frame of a rendition ("" the stream's
// own size), or nil before its first.
func (h *Hub) Latest(rendition string) *Frame {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest[rendition]
}

// Totals returns what every viewer was sent and dropped since the hub was
// made.
func (h *Hub) Totals() Totals {
	return Totals{FramesSent: h.totals.frames.Load(), BytesSent: h.totals.bytes.Load(), Drops: h.totals.drops.Load()}
}

// SetStatus records the stream's state and tells every viewer if it changed.
func (h *Hub) SetStatus(st protocol.Status) {
	st.Type = "status"
	h.mu.Lock()
	defer h.mu.Unlock()
	if st == h.status {
		return
	}
	h.status = st
	for s := range h.subs {
		s.offerStatus(st)
	}
}

// Status returns the stream's current state.
func (h *Hub) Status() protocol.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.status
}

// Viewers returns every viewer's counters, oldest first.
func (h *Hub) Viewers(now time.Time) []Stats {
	h.mu.Lock()
	out := make([]Stats, 0, len(h.subs))
	for s := range h.subs {
		out = append(out, s.Stats(now))
	}
	h.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
