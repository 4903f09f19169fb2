package hub

import (
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/meter"
	"framecast/backend/protocol"
)

// Subscriber is one viewer's mailbox. The hub offers frames and status
// changes; the viewer's writer takes them. Each slot holds only the newest
// item, so memory per viewer is bounded whatever the viewer's speed.
type Subscriber struct {
	ID    uint64
	Kind  string // "ws", "mjpeg", "snapshot"
	Addr  string // remote address, for the operator's view
	Since time.Time

	// wake has room for one signal; it is sent (never closed) whenever a
	// slot fills or Poke is called, and drained by the writer.
	wake chan struct{}

	mu     sync.Mutex
	frame  *Frame           // pending frame; guarded by mu
	status *protocol.Status // pending status change; guarded by mu
	meta   map[string]Meta  // pending metadata, newest per key; nil unless made by SubscribeMeta; guarded by mu

	drops atomic.Uint64
	// refDrops counts the frames skipped that others refer to (not
	// Disposable).
	refDrops atomic.Uint64
	bytes    atomic.Uint64 // JPEG bytes written to the viewer
	// hub adds up every viewer's counters, past ones too.
	hub       *counters
	delivered meter.Meter
	latency   atomic.Int64 // last measured capture→shown latency, µs
	// rendition is the rendition the viewer takes ("" the stream's own
	// size): only its frames are offered. Set by the viewer's writer.
	rendition atomic.Pointer[string]
	// direct, when set, writes a frame straight to the viewer from the
	// hub's fan-out goroutine if it can at once (SetDirect).
	direct atomic.Pointer[func(*Frame) bool]
}

// SetDirect gives the hub a way to write a frame to the viewer from its
// fan-out goroutine (fanout.go): send reports whether it did. A frame it did not
// send goes to the mailbox, as without it. send must never wait.
func (s *Subscriber) SetDirect(send func(*Frame) bool) { s.direct.Store(&send) }

// Idle reports whether nothing waits in the mailbox.
func (s *Subscriber) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frame == nil && s.status == nil
}

// offer gives f to the viewer: written at once when it can be, else left
// in its mailbox.
func (s *Subscriber) offer(f *Frame) {
	if send := s.direct.Load(); send != nil && (*send)(f) {
		return
	}
	s.offerFrame(f)
}

// SetRendition makes the viewer take rendition name's frames from the next
// one on ("" the stream's own size).
func (s *Subscriber) SetRendition(name string) { s.rendition.Store(&name) }

// Rendition is the rendition the viewer takes ("" the stream's own size).
func (s *Subscriber) Rendition() string {
	if r := s.rendition.Load(); r != nil {
		return *r
	}
	return ""
}

func newSubscriber(id uint64, kind, addr string, hub *counters) *Subscriber {
	return &Subscriber{ID: id, Kind: kind, Addr: addr, Since: time.Now(), wake: make(chan struct{}, 1), hub: hub}
}

// Wake is signalled when a frame or status is waiting, or Poke was called.
func (s *Subscriber) Wake() <-chan struct{} { return s.wake }

// Poke wakes the writer, for example when an ack makes room to send again.
func (s *Subscriber) Poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// offerFrame leaves f in the mailbox, in place of the frame waiting there,
// which is skipped: the newest wins. One exception keeps an inter-frame
// codec's viewer decoding: a waiting frame that later frames refer to
// stays, and f is skipped instead when no frame refers to it (Disposable).
// A viewer that takes only every other frame so gets those the rest refer
// to, and never waits for a keyframe.
func (s *Subscriber) offerFrame(f *Frame) {
	s.mu.Lock()
	if s.frame != nil {
		if f.Disposable() && !s.frame.Disposable() {
			s.skipped(f)
			s.mu.Unlock()
			return
		}
		s.skipped(s.frame)
	}
	s.frame = f
	s.mu.Unlock()
	s.Poke()
}

// skipped counts f as a frame the viewer skipped.
func (s *Subscriber) skipped(f *Frame) {
	s.drops.Add(1)
	s.hub.drops.Add(1)
	if !f.Disposable() {
		s.refDrops.Add(1)
	}
}

func (s *Subscriber) offerStatus(st protocol.Status) {
	s.mu.Lock()
	s.status = &st
	s.mu.Unlock()
	s.Poke()
}

// TakeFrame returns the pending frame, or nil, and empties the slot.
func (s *Subscriber) TakeFrame() *Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.frame
	s.frame = nil
	return f
}

// TakeStatus returns the pending status change, or nil, and empties the slot.
func (s *Subscriber) TakeStatus() *protocol.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	s.status = nil
	return st
}

// Drops is how many frames the viewer skipped: replaced in its mailbox
// before it took them, or in the hub's fan-out before it was offered them
// (fanOutLocked).
func (s *Subscriber) Drops() uint64 { return s.drops.Load() }

// RefDrops is how many of the frames the viewer skipped (Drops) were ones
// later frames refer to: after such a skip an inter-frame codec's viewer
// can decode nothing before the next keyframe. Skipping a Disposable frame
// costs it nothing.
func (s *Subscriber) RefDrops() uint64 { return s.refDrops.Load() }

// Delivered records that a frame of size bytes was written to the viewer.
func (s *Subscriber) Delivered(now time.Time, size int) {
	s.delivered.Tick(now)
	s.bytes.Add(uint64(size))
	s.hub.bytes.Add(uint64(size))
	s.hub.frames.Add(1)
}

// SetLatency records the latest capture→shown latency.
func (s *Subscriber) SetLatency(d time.Duration) { s.latency.Store(d.Microseconds()) }

// Stats is a snapshot of a subscriber's counters, as /api/state reports it.
type Stats struct {
	ID        uint64    `json:"id"`
	Kind      string    `json:"kind"`
	Addr      string    `json:"addr"`
	FPS       float64   `json:"fps"`
	Drops     uint64    `json:"drops"`
	Bytes     uint64    `json:"bytes"` // JPEG bytes sent so far
	LatencyMs float64   `json:"latencyMs"`
	Since     time.Time `json:"since"`
	Rendition string    `json:"rendition,omitempty"` // "" the stream's own size
}

// Stats returns the subscriber's counters at time now.
func (s *Subscriber) Stats(now time.Time) Stats {
	return Stats{
		ID: s.ID, Kind: s.Kind, Addr: s.Addr, Since: s.Since,
		FPS:       s.delivered.Rate(now),
		Drops:     s.drops.Load(),
		Bytes:     s.bytes.Load(),
		LatencyMs: float64(s.latency.Load()) / 1000,
		Rendition: s.Rendition(),
	}
}
