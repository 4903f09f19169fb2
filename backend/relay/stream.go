package relay

import (
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"framecast/backend/hub"
	"framecast/backend/links"
	"framecast/backend/meter"
	"framecast/backend/protocol"
	"framecast/backend/server"
)

// Why a producer is refused.
var (
	// ErrConflict: the stream has a live producer with another view token.
	ErrConflict = errors.New("the stream has a live producer with another view token")
	// errGone: the stream was forgotten in the meantime; open it again.
	errGone = errors.New("the stream was forgotten")
	// errProducerLive: an old-style picture sender while the producer sends.
	errProducerLive = errors.New("another producer is sending to this stream; it takes over once that one has sent nothing for 2 s")
	// errNotProducer: a message from a producer that was replaced meanwhile.
	errNotProducer = errors.New("this producer was replaced")
)

// legacyTakeover is how long an old-style producer must have been silent
// before another picture sender takes the stream.
const legacyTakeover = 2 * time.Second

// refusalLogEvery bounds the log lines about refused producer messages.
const refusalLogEvery = 10 * time.Second

// maxRefusal bounds a refusal's reason as /api/state, the log and the
// producer's error reply repeat it: each name in it is cut already
// (protocol.Quote), and this bounds the whole.
const maxRefusal = 512

// Stream is one relayed stream: a hub its viewers watch, fed by whichever
// producer publishes under its name. Viewers stay when producers change.
type Stream struct {
	Name    string
	hub     *hub.Hub
	handler *server.Handler
	log     *slog.Logger
	// pinned marks the legacy stream: it exists from the start, is never
	// forgotten, and its view token never changes.
	pinned bool

	in  meter.Meter // pictures arriving from the producer, refused or not
	out meter.Meter // pictures passed on to viewers

	bus  Bus   // nil: a relay on its own
	link *link // the stream's part in the cluster; nil without bus

	// book is the stream's links (links.go), as its producer offers them;
	// audit keeps the records of its viewers' connections for the
	// producer (audit.go).
	book  *links.Book
	audit *auditQueue
	// linksMu orders changes of the links. linkOffers are the links as last
	// offered (nil: none yet), as of linksAt; linksHeld: they open nothing
	// new until offered again (holdLinks). Guarded by linksMu.
	linksMu    sync.Mutex
	linkOffers []protocol.LinkOffer
	linksAt    time.Time
	linksHeld  bool

	mu        sync.Mutex
	publisher *publisher // the producer now; guarded by mu
	since     time.Time  // when publisher came; guarded by mu
	// ladder is the renditions the producer offers (renditions.go); nil
	// for one size. guarded by mu
	ladder []protocol.Rendition
	// codecs is what the producer offers besides JPEG (codecs.go): what
	// the last producer said until this one says (told), H.264 before
	// any. guarded by mu
	codecs []string
	told   bool // guarded by mu
	// steps: the producer makes lower bitrate steps of its H.264
	// renditions (RenditionsOffer.Steps). guarded by mu
	steps bool
	// gaps are the H.264 keys whose frames from the bus were dropped:
	// passed on again from a keyframe (publishRemote). guarded by mu
	gaps     map[string]bool
	closed   bool     // the stream was forgotten or the relay closed; guarded by mu
	seq      uint64   // numbers old-style pictures; guarded by mu
	lastSeq  uint64   // seq of the last picture passed on; guarded by mu
	received uint64   // pictures passed on, ever; guarded by mu
	width    int      // of the last picture; guarded by mu
	height   int      // guarded by mu
	bytes    int      // of the last picture; guarded by mu
	refusals refusals // guarded by mu
}

// refusals counts refused producer messages and paces the log lines.
type refusals struct {
	n        uint64    // ever
	last     string    // the last reason
	logged   time.Time // when the last line was written
	unlogged uint64    // refused since then
}

func newStream(name, viewToken string, d server.Deps, bus Bus) *Stream {
	s := &Stream{Name: name, hub: hub.New(), log: d.Log, bus: bus, codecs: []string{protocol.CodecH264},
		gaps: map[string]bool{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "relay", "stream", name)
	s.audit = newAuditQueue()
	s.book = links.NewBook(nil, links.BookDeps{Audit: s.audit, Log: s.log})
	d.Hub, d.Stream, d.H264, d.Links = s.hub, s, s.makesH264, s.book
	s.handler = server.NewHandler(name, viewToken, d)
	s.hub.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: name, Reason: "waiting for the producer"})
	if bus != nil {
		s.link = newLink(bus, s)
	}
	return s
}

// pin makes the stream permanent, with a fixed view token.
func (s *Stream) pin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pinned = true
}

// Stats is the stream's state for /api/state and /metrics.
func (s *Stream) Stats() protocol.Stats {
	now := time.Now()
	s.mu.Lock()
	st := protocol.Stats{Width: s.width, Height: s.height, FrameBytes: s.bytes, Received: s.received,
		Refused: s.refusals.n, LastRefusal: s.refusals.last}
	s.mu.Unlock()
	st.Source = "relay:" + s.Name
	st.State = s.hub.Status().State
	st.Enabled = true
	st.CaptureFPS = s.in.Rate(now)
	st.OutputFPS = s.out.Rate(now)
	if s.link != nil {
		st.Holder, st.ClusterViewers, _ = s.link.state()
	}
	return st
}

// producing reports whether a producer is attached here, and since when.
func (s *Stream) producing() (bool, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publisher != nil, s.since
}

// viewers is how many watch the stream: on every relay of a cluster.
func (s *Stream) viewers() int {
	n := s.hub.Count()
	if s.link != nil {
		if _, total, _ := s.link.state(); total > n {
			return total
		}
	}
	return n
}

// adoptHash takes the view token's hash from the cluster's table: another
// relay holds the producer and knows the token.
func (s *Stream) adoptHash(hash [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.publisher == nil && !s.pinned && s.handler.TokenHash() != hash {
		s.handler.SetTokenHash(hash)
	}
}

// toBus sends a status change to the other relays, when this one holds
// the producer.
func (s *Stream) toBus(st protocol.Status) {
	if s.bus == nil {
		return
	}
	b, _ := json.Marshal(st)
	_ = s.bus.Publish(KindStatus, s.Name, b)
}

// conflicts reports whether a producer with viewToken would be refused
// now: the stream has a live producer with another token, or its token is
// fixed.
func (s *Stream) conflicts(viewToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflictsLocked(viewToken)
}

func (s *Stream) conflictsLocked(viewToken string) bool {
	return (s.publisher != nil || s.pinned) && !protocol.MatchesHash(viewToken, s.handler.TokenHash())
}

// attach makes p the producer with viewToken, replacing (and disconnecting)
// a producer with the same token: a producer that restarted. A live
// producer with another token keeps the stream (ErrConflict). A new token
// on a stream without a producer replaces the link: its viewers are told.
func (s *Stream) attach(p *publisher, viewToken string) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errGone
	case s.conflictsLocked(viewToken):
		s.mu.Unlock()
		return ErrConflict
	}
	newToken := !s.handler.KnowToken(viewToken)
	if newToken {
		s.handler.SetToken(viewToken)
	}
	old := s.publisher
	s.publisher, s.since, s.ladder, s.told, s.steps = p, time.Now(), nil, false, false
	s.mu.Unlock()
	if newToken {
		// Before p's first message is read: its links offer comes after.
		s.holdLinks()
	}
	s.started(old)
	return nil
}

// attachLegacy makes p, an old-style picture sender, the producer, unless
// the producer now has sent something in the last legacyTakeover.
func (s *Stream) attachLegacy(p *publisher, now time.Time) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errGone
	case s.publisher == p:
		s.mu.Unlock()
		return nil
	case s.publisher != nil && now.Sub(s.publisher.lastHeard()) < legacyTakeover:
		s.mu.Unlock()
		return errProducerLive
	}
	old := s.publisher
	// An old-style sender makes JPEG alone.
	s.publisher, s.since, s.ladder, s.codecs, s.told, s.steps = p, now, nil, nil, true, false
	s.mu.Unlock()
	s.started(old)
	return nil
}

// started follows a change of producer: the old one goes, metadata starts
// afresh, viewers see the stream live.
func (s *Stream) started(old *publisher) {
	if old != nil {
		old.Kick("replaced by a new publisher")
	}
	s.hub.ResetMeta()
	s.hub.RenditionsChanged() // the new producer offers no ladder until it says so
	st := protocol.Status{State: protocol.StateLive, Source: s.Name}
	s.hub.SetStatus(st)
	s.toBus(st)
}

// detach forgets p if it is still the producer: viewers see NO SIGNAL.
func (s *Stream) detach(p *publisher, reason string) {
	s.mu.Lock()
	current := s.publisher == p
	if current {
		s.publisher = nil
	}
	s.mu.Unlock()
	if current {
		st := protocol.Status{State: protocol.StateNoSignal, Source: s.Name, Reason: reason}
		s.hub.SetStatus(st)
		s.toBus(st)
		if s.bus != nil {
			s.bus.Release(s.Name)
		}
	}
}

// refused counts a refused producer message, keeps its reason for
// /api/state and logs it: the first at once, the rest summed up every
// refusalLogEvery.
func (s *Stream) refused(err error, producer string, now time.Time) {
	s.mu.Lock()
	r := &s.refusals
	r.n++
	reason := protocol.Truncate(err.Error(), maxRefusal)
	r.last = now.UTC().Format(time.RFC3339) + " " + reason
	r.unlogged++
	var n uint64
	if now.Sub(r.logged) >= refusalLogEvery {
		n, r.unlogged, r.logged = r.unlogged, 0, now
	}
	s.mu.Unlock()
	if n > 0 {
		s.log.Warn("producer messages refused", "count", n, "last", reason, "producer", producer)
	}
}

// idle reports whether the stream has neither a producer nor viewers and
// may be forgotten.
func (s *Stream) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idleLocked()
}

func (s *Stream) idleLocked() bool {
	return !s.pinned && s.publisher == nil && s.hub.Count() == 0
}

// forget closes the stream if it is still idle, and reports whether it did.
func (s *Stream) forget() bool {
	s.mu.Lock()
	if !s.idleLocked() || s.closed {
		s.mu.Unlock()
		return false
	}
	s.closed = true
	s.mu.Unlock()
	if s.link != nil {
		s.link.close()
	}
	s.handler.Close("the stream was idle")
	s.book.Close()
	return true
}

func (s *Stream) close(reason string) {
	s.mu.Lock()
	s.closed = true
	p := s.publisher
	s.mu.Unlock()
	if p != nil {
		p.Kick(reason)
	}
	if s.link != nil {
		s.link.close()
	}
	s.handler.Close(reason)
	s.book.Close()
}
