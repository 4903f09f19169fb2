package relay

import (
	"encoding/json"
	"sync"
	"time"

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
	// Claim makes this relay the stream's holder (or refreshes the claim)
	// with e's Hash, Since, Viewers (cluster-wide) and Ladder; the bus
	// fills in Relay and At. ErrConflict while another relay's live
	// producer has another view token.
	Claim(name string, e Entry) error
	// Release drops this relay's claim, if it still holds the stream.
	Release(name string)
	Publish(kind Kind, name string, data []byte) error
	// Subscribe calls fn with each message of the stream's kind, one at a
	// time; for frames, fn(nil) before a message says the bus dropped
	// some before it (this relay fell behind).
	Subscribe(kind Kind, name string, fn func([]byte)) (cancel func(), err error)
}

// Entry is a stream's row in the cluster's table.
type Entry struct {
	Hash    [32]byte  // SHA-256 of the view token
	Relay   string    // the relay that holds the producer
	Since   time.Time // since when
	Viewers int       // cluster-wide, as the holder last counted
	At      time.Time // when the holder last refreshed it
	// Ladder is the renditions the holder's producer offers, its own size
	// first (nil: one size): the other relays offer them to their viewers.
	Ladder []protocol.Rendition
	// Codecs is what the holder's producer encodes besides JPEG (nil:
	// JPEG alone): the other relays promise it to their viewers.
	Codecs []string
	// Steps: the holder's producer makes lower bitrate steps of its H.264
	// renditions.
	Steps bool
	// Links are the links the holder's producer offers, as of LinksAt
	// (zero: it offers none): a relay that opens the stream admits its
	// first viewer with them, and every relay looks at them each
	// linkEvery, in case it missed a KindLinks.
	Links   []protocol.LinkOffer
	LinksAt time.Time
	// LinksHeld: the holder's new producer has not offered its links yet
	// (linksNote.Held): they open nothing new.
	LinksHeld bool
}

// Kind names a stream's subjects on the bus.
type Kind string

const (
	// KindFrames carries frames of the stream's own size as viewers get
	// them, from the holder; each smaller rendition has a kind of its own
	// (FramesKind).
	KindFrames  Kind = "frames"
	KindStatus  Kind = "status"  // protocol.Status changes, from the holder
	KindViewers Kind = "viewers" // viewerReport from every relay with viewers
	// KindKeyframe carries a hub key whose viewers on another relay wait
	// for a keyframe, to the holder (keyframes.go).
	KindKeyframe Kind = "keyframe"
	// KindLinks carries the links the holder's producer offers
	// (linksNote), from the holder as soon as they change: each relay
	// with the stream open applies them, so a link revoked is cut
	// everywhere at once, not at the next look at the table.
	KindLinks Kind = "links"
	// KindAudit carries the records of connections that ended on another
	// relay (protocol.AuditRecords), to the holder, which passes them on
	// to its producer.
	KindAudit Kind = "audit"
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

// viewerReport is one relay's count of a stream's viewers, and which
// renditions they take: the holder sums the counts, asks its producer for
// the smaller renditions taken anywhere, and sends each relay only the
// frames of renditions it takes.
type viewerReport struct {
	Relay string `json:"relay"`
	Count int    `json:"count"`
	// Takes names the renditions the relay's viewers take, sorted: "" is
	// the stream's own size (frames with no "rendition" in their header),
	// "240p" a smaller one. Absent or empty with a count: the own size
	// alone, as relays from before renditions meant.
	Takes []string `json:"takes,omitempty"`
	// Links counts the relay's viewers of each link (absent: none): the
	// holder sums them for its producer, every relay counts them to the
	// link's cap.
	Links map[string]int `json:"links,omitempty"`
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
	// taken is every rendition some live report takes ("" the own size):
	// the holder publishes frames of those alone. Guarded by mu.
	taken map[string]bool

	// poked wakes run to claim the stream at once (its links changed).
	poked chan struct{}

	// Touched only by run.
	unsubStatus, unsubViewers, unsubKeyframes func()
	unsubLinks, unsubAudit                    func()
	unsubFrames                               map[string]func() // per rendition followed
	reported                                  int               // the count last reported
	reportedTakes                             []string          // the takes last reported
	following                                 bool              // another relay holds the stream
}

type reportAt struct {
	count int
	takes []string
	links map[string]int
	at    time.Time
}

func newLink(bus Bus, s *Stream) *link {
	l := &link{bus: bus, s: s, stop: make(chan struct{}), done: make(chan struct{}), reports: map[string]reportAt{},
		poked: make(chan struct{}, 1), unsubFrames: map[string]func(){}, reported: -1}
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
	// Viewers move between renditions without the hub's count changing:
	// between steps their takes are looked at this often (recheck), so a
	// viewer moved down gets its new rendition's frames at once.
	w := time.NewTicker(wantEvery)
	defer w.Stop()
	keys := newKeyTimer()
	defer keys.stop()
	full := true
	for {
		changed, asked := l.s.hub.Changed(), l.s.hub.KeyAsked()
		if full {
			l.step(time.Now())
		} else {
			l.recheck()
		}
		keys.set(l.passKeys())
		// A follower passes its viewers' records on to the holder.
		var audited <-chan struct{}
		if l.following {
			audited = l.s.audit.waiting()
		}
		select {
		case <-l.stop:
			return
		case <-t.C:
			full = true
		case <-changed:
			full = true
		case <-l.poked:
			full = true
		case <-audited:
			l.passAudit()
			full = false
		case <-w.C:
			full = false
		case <-asked:
			full = false
		case <-keys.t.C:
			full = false
		}
	}
}

// passKeys passes this relay's viewers' keyframe requests on to the holder
// while another relay holds the stream, and reports when to look again.
func (l *link) passKeys() time.Duration {
	if !l.following {
		return 0
	}
	next, _ := l.s.passKeys(time.Now(), func(key string) error {
		return l.bus.Publish(KindKeyframe, l.s.Name, []byte(key))
	})
	return next
}

// step brings the stream's part in the cluster up to date.
func (l *link) step(now time.Time) {
	name := l.s.Name
	local := l.s.hub.Count()
	takes := l.s.taken()
	holding, since, ladder, codecs, steps := l.s.holding()
	if local != l.reported || local > 0 {
		l.report(local, takes)
	}
	remote := l.remoteViewers(now)
	if holding {
		l.following = false
		l.set(l.bus.ID(), local+remote, remote)
		n := l.s.offeredLinks()
		e := Entry{Hash: l.s.handler.TokenHash(), Since: since, Viewers: local + remote, Ladder: ladder, Codecs: codecs, Steps: steps,
			Links: n.Links, LinksAt: n.At, LinksHeld: n.Held}
		if err := l.bus.Claim(name, e); err != nil {
			l.s.log.Warn("cluster claim", "err", err)
		}
		l.ensure(&l.unsubViewers, KindViewers, l.onReport)
		l.ensure(&l.unsubKeyframes, KindKeyframe, l.onKeyframe)
		l.ensure(&l.unsubAudit, KindAudit, l.onAudit)
		l.follow(nil)
		l.drop(&l.unsubStatus)
		l.drop(&l.unsubLinks)
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
		// Nobody holds the stream: its links stay as they were, and
		// their viewers wait for the producer like the others.
		l.following = false
		l.set("", local, 0)
		l.follow(nil)
		l.drop(&l.unsubStatus)
		l.drop(&l.unsubViewers)
		l.drop(&l.unsubKeyframes)
		l.drop(&l.unsubLinks)
		l.drop(&l.unsubAudit)
		if l.s.hub.Status().State == protocol.StateLive {
			l.s.hub.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: name, Reason: "waiting for the producer"})
		}
		return
	}
	l.set(e.Relay, max(e.Viewers, local), 0)
	l.s.adoptHash(e.Hash)
	l.s.adoptOffer(e.Ladder, e.Codecs, e.Steps)
	l.ensure(&l.unsubLinks, KindLinks, l.onLinks)
	l.s.adoptLinks(linksNote{At: e.LinksAt, Links: e.Links, Held: e.LinksHeld})
	l.following = true
	l.follow(takes) // nothing while nobody here watches
	if local > 0 {
		l.ensure(&l.unsubStatus, KindStatus, l.onStatus)
	} else {
		l.drop(&l.unsubStatus)
	}
	// Other relays' viewers of each link count to its cap here too.
	l.ensure(&l.unsubViewers, KindViewers, l.onReport)
	l.drop(&l.unsubKeyframes)
	l.drop(&l.unsubAudit)
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

// report tells the holder how many watch here, and which renditions.
func (l *link) report(local int, takes []string) {
	msg, _ := json.Marshal(viewerReport{Relay: l.bus.ID(), Count: local, Takes: takes, Links: l.s.book.Counts()})
	if l.bus.Publish(KindViewers, l.s.Name, msg) == nil {
		l.reported, l.reportedTakes = local, takes
	}
}

// onReport takes another relay's report. Reports come from other
// processes: one that is not well-formed and bounded (checkReport) changes
// nothing.
func (l *link) onReport(b []byte) {
	var r viewerReport
	if json.Unmarshal(b, &r) != nil || checkReport(r, l.bus.ID()) != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, known := l.reports[r.Relay]
	switch {
	case r.Count == 0:
		delete(l.reports, r.Relay)
		l.s.book.SetShared(r.Relay, nil)
	case known || len(l.reports) < maxReports:
		l.reports[r.Relay] = reportAt{count: r.Count, takes: takesOf(r), links: r.Links, at: time.Now()}
		l.s.book.SetShared(r.Relay, r.Links)
	}
	l.retakeLocked()
}

// maxReports bounds the relays whose counts a stream keeps.
const maxReports = 1024

func (l *link) remoteViewers(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, expired := 0, false
	for relay, r := range l.reports {
		if now.Sub(r.at) > reportTimeout {
			delete(l.reports, relay)
			l.s.book.SetShared(relay, nil)
			expired = true
			continue
		}
		n += r.count
	}
	if expired {
		l.retakeLocked()
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
	l.follow(nil)
	l.drop(&l.unsubStatus)
	l.drop(&l.unsubViewers)
	l.drop(&l.unsubKeyframes)
	l.drop(&l.unsubLinks)
	l.drop(&l.unsubAudit)
	if holding, _ := l.s.producing(); holding {
		l.bus.Release(l.s.Name)
	}
}
