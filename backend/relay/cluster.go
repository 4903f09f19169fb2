package relay

import (
	"encoding/json"
	"sync"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// Bus joins relays into a cluster (backend/natsbus is the NATS one): a
// producer pushes to any relay, and viewers on every relay watch it. nil in
// Deps: a relay on its own.
type Bus interface {
	ID() string      // this relay's name in the cluster
	MaxPayload() int // the largest message the bus takes
	// Lookup returns the stream's live entry in the cluster's table.
	Lookup(name string) (Entry, bool, error)
	// Claim makes this relay the stream's holder (or refreshes the claim),
	// with the cluster-wide viewer count; ErrConflict while another
	// relay's live producer has another view token.
	Claim(name string, hash [32]byte, since time.Time, viewers int) error
	// Release drops this relay's claim, if it still holds the stream.
	Release(name string)
	Publish(kind Kind, name string, data []byte) error
	Subscribe(kind Kind, name string, fn func([]byte)) (cancel func(), err error)
}

// Entry is a stream's row in the cluster's table.
type Entry struct {
	Hash    [32]byte  // SHA-256 of the view token
	Relay   string    // the relay that holds the producer
	Since   time.Time // since when
	Viewers int       // cluster-wide, as the holder last counted
	At      time.Time // when the holder last refreshed it
}

// Kind names a stream's subjects on the bus.
type Kind string

const (
	KindFrames  Kind = "frames"  // frames as viewers get them, from the holder
	KindStatus  Kind = "status"  // protocol.Status changes, from the holder
	KindViewers Kind = "viewers" // viewerReport from every relay with viewers
)

// Cluster timing.
const (
	// linkEvery is how often a stream looks at the cluster: claims,
	// viewer reports, who holds it.
	linkEvery = time.Second
	// HolderTimeout: a holder that has not refreshed its entry for this
	// long is dead, and its stream free for another producer.
	HolderTimeout = 6 * time.Second
	// reportTimeout forgets another relay's viewer report.
	reportTimeout = 3 * linkEvery
)

// viewerReport is one relay's count of a stream's viewers.
type viewerReport struct {
	Relay string `json:"relay"`
	Count int    `json:"count"`
}

// link is a stream's part in the cluster. While this relay holds the
// producer it claims the stream, sums every relay's viewers and publishes
// frames when others watch; otherwise, while it has viewers, it takes the
// stream's frames and status from the bus.
type link struct {
	bus  Bus
	s    *Stream
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	reports map[string]reportAt // other relays' viewers; guarded by mu
	holder  string              // who holds the producer ("": nobody); guarded by mu
	total   int                 // cluster-wide viewers; guarded by mu
	remote  int                 // viewers on other relays; guarded by mu

	// Touched only by run.
	unsubFrames, unsubStatus, unsubViewers func()
	reported                               int
}

type reportAt struct {
	count int
	at    time.Time
}

func newLink(bus Bus, s *Stream) *link {
	l := &link{bus: bus, s: s, stop: make(chan struct{}), done: make(chan struct{}), reports: map[string]reportAt{}, reported: -1}
	go l.run()
	return l
}

func (l *link) close() {
	close(l.stop)
	<-l.done
}

func (l *link) run() {
	defer close(l.done)
	defer l.unsubscribeAll()
	t := time.NewTicker(linkEvery)
	defer t.Stop()
	for {
		changed := l.s.hub.Changed()
		l.step(time.Now())
		select {
		case <-l.stop:
			return
		case <-t.C:
		case <-changed:
		}
	}
}

// step brings the stream's part in the cluster up to date.
func (l *link) step(now time.Time) {
	name := l.s.Name
	local := l.s.hub.Count()
	holding, since := l.s.producing()
	if local != l.reported || local > 0 {
		msg, _ := json.Marshal(viewerReport{Relay: l.bus.ID(), Count: local})
		if l.bus.Publish(KindViewers, name, msg) == nil {
			l.reported = local
		}
	}
	remote := l.remoteViewers(now)
	if holding {
		l.set(l.bus.ID(), local+remote, remote)
		if err := l.bus.Claim(name, l.s.handler.TokenHash(), since, local+remote); err != nil {
			l.s.log.Warn("cluster claim", "err", err)
		}
		l.ensure(&l.unsubViewers, KindViewers, l.onReport)
		l.drop(&l.unsubFrames)
		l.drop(&l.unsubStatus)
		return
	}
	e, ok, err := l.bus.Lookup(name)
	if err != nil {
		return // the bus is away: keep things as they are until it is back
	}
	if ok && e.Relay == l.bus.ID() {
		l.bus.Release(name) // a claim made as the producer left
		ok = false
	}
	if !ok {
		l.set("", local, 0)
		l.drop(&l.unsubFrames)
		l.drop(&l.unsubStatus)
		l.drop(&l.unsubViewers)
		if l.s.hub.Status().State == protocol.StateLive {
			l.s.hub.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: name, Reason: "waiting for the producer"})
		}
		return
	}
	l.set(e.Relay, max(e.Viewers, local), 0)
	l.s.adoptHash(e.Hash)
	if local > 0 {
		l.ensure(&l.unsubFrames, KindFrames, l.s.publishRemote)
		l.ensure(&l.unsubStatus, KindStatus, l.onStatus)
	} else {
		l.drop(&l.unsubFrames)
		l.drop(&l.unsubStatus)
	}
	l.drop(&l.unsubViewers)
}

func (l *link) set(holder string, total, remote int) {
	l.mu.Lock()
	l.holder, l.total, l.remote = holder, total, remote
	l.mu.Unlock()
}

// state is who holds the stream and how many watch it cluster-wide.
func (l *link) state() (holder string, total, remote int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder, l.total, l.remote
}

func (l *link) onReport(b []byte) {
	var r viewerReport
	if json.Unmarshal(b, &r) != nil || r.Relay == "" || r.Relay == l.bus.ID() || r.Count < 0 {
		return
	}
	l.mu.Lock()
	if r.Count == 0 {
		delete(l.reports, r.Relay)
	} else if len(l.reports) < maxReports {
		l.reports[r.Relay] = reportAt{count: r.Count, at: time.Now()}
	}
	l.mu.Unlock()
}

// maxReports bounds the relays whose counts a stream keeps.
const maxReports = 1024

func (l *link) remoteViewers(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for relay, r := range l.reports {
		if now.Sub(r.at) > reportTimeout {
			delete(l.reports, relay)
			continue
		}
		n += r.count
	}
	return n
}

func (l *link) onStatus(b []byte) {
	var st protocol.Status
	if json.Unmarshal(b, &st) == nil && st.State != "" {
		l.s.hub.SetStatus(st)
	}
}

func (l *link) ensure(unsub *func(), kind Kind, fn func([]byte)) {
	if *unsub != nil {
		return
	}
	if cancel, err := l.bus.Subscribe(kind, l.s.Name, fn); err == nil {
		*unsub = cancel
	}
}

func (l *link) drop(unsub *func()) {
	if *unsub != nil {
		(*unsub)()
		*unsub = nil
	}
}

func (l *link) unsubscribeAll() {
	l.drop(&l.unsubFrames)
	l.drop(&l.unsubStatus)
	l.drop(&l.unsubViewers)
	if holding, _ := l.s.producing(); holding {
		l.bus.Release(l.s.Name)
	}
}

// publishRemote passes on a frame from the relay that holds the producer.
func (s *Stream) publishRemote(wire []byte) {
	h, jpeg, err := protocol.DecodeFrame(wire)
	if err != nil {
		return
	}
	f, err := hub.FrameFromWire(h, wire, jpeg)
	if err != nil {
		return
	}
	f.Rendition = h.Rendition
	now := time.Now()
	s.mu.Lock()
	if s.publisher != nil || s.closed {
		s.mu.Unlock()
		return // a producer here now: its frames win
	}
	if h.Rendition == "" {
		s.lastSeq, s.received = h.Seq, s.received+1
		s.width, s.height, s.bytes = h.W, h.H, len(jpeg)
	}
	s.mu.Unlock()
	if h.Rendition == "" {
		s.in.Tick(now)
		s.out.Tick(now)
	}
	if s.hub.Status().State != protocol.StateLive {
		s.hub.SetStatus(protocol.Status{State: protocol.StateLive, Source: s.Name})
	}
	s.hub.Publish(f)
}
