package links

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"framecast/backend/protocol"
)

// saveEvery: watch time and last seen change with every viewer; they are
// saved at most this often (links themselves at once).
const saveEvery = 10 * time.Second

// BookDeps are what a Book is built from.
type BookDeps struct {
	// Save keeps the links after a change, written whole (SaveFile); nil:
	// kept in memory only (a relay's, from its producer).
	Save func([]Saved) error
	// Audit keeps every connection's record; nil: none kept.
	Audit Auditor
	// ClipWait is how long a clip download's record is held for the next
	// request of the same playback (clipHolder); 0: 10 s.
	ClipWait time.Duration
	Log      *slog.Logger
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Saved is a link as a Book keeps it across restarts: the link and what
// it has been used for.
type Saved struct {
	Link
	WatchSeconds float64   `json:"watch_seconds,omitempty"`
	LastSeen     time.Time `json:"last_seen,omitzero"`
}

// Status is a link as the operator sees it.
type Status struct {
	Link
	// Viewers watch with it now: here, and on relays as they report.
	Viewers int `json:"viewers"`
	// WatchSeconds is the time all its viewers watched, in all.
	WatchSeconds float64   `json:"watch_seconds"`
	LastSeen     time.Time `json:"last_seen,omitzero"`
	Expired      bool      `json:"expired,omitempty"`
}

// entry is a link and its use; guarded by Book.mu.
type entry struct {
	Link
	sessions map[*Session]struct{}
	// shared are viewers on other relays of a cluster, by relay: they
	// count to the cap. remote are viewers on the relays this server
	// pushes to, by push: shown, never capped here (the relay caps them).
	shared, remote map[string]int
	watched        time.Duration
	lastSeen       time.Time
	cut            bool // its sessions were cut when it expired
}

func (e *entry) viewers() int {
	n := e.watching()
	for _, c := range e.shared {
		n += c
	}
	for _, c := range e.remote {
		n += c
	}
	return n
}

// watching counts the sessions that watch the live stream here (clip
// downloads are none).
func (e *entry) watching() int {
	n := 0
	for s := range e.sessions {
		if s.rec.Kind != KindClip {
			n++
		}
	}
	return n
}

// tomb is a revoked link's hash, kept a while to say so.
type tomb struct {
	hash  [32]byte
	until time.Time
}

// Book is a site's links (or a relay stream's), and the sessions opened
// with them. It is the one owner of both.
type Book struct {
	d     BookDeps
	log   *slog.Logger
	audit *clipHolder // before d.Audit; nil when none

	mu      sync.Mutex
	links   map[string]*entry // by name; guarded by mu
	revoked []tomb            // newest last; guarded by mu
	// own are the sessions of the streams' own links (Grant.Link ""),
	// audited, never capped or cut here.
	own    map[*Session]struct{}
	closed bool
	// held: the links admit nothing until the next Set (a relay stream
	// whose producer changed, until the new one offers its links).
	held    bool
	expiry  *time.Timer   // fires at the next expiry; guarded by mu
	changed chan struct{} // closed and replaced at every change of the links
	version uint64        // of the links and their use, for saving in order
	dirty   bool          // use not saved yet
	saveT   *time.Timer   // saves the use soon

	saveMu    sync.Mutex
	savedUpTo uint64 // guarded by saveMu
}

// NewBook returns a Book holding saved (the links kept by its last run;
// bad ones are left out, and logged).
func NewBook(saved []Saved, d BookDeps) *Book {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	b := &Book{d: d, log: d.Log.With("component", "links"), links: map[string]*entry{}, own: map[*Session]struct{}{},
		changed: make(chan struct{})}
	if d.Audit != nil {
		b.audit = newClipHolder(d.Audit, d.ClipWait)
	}
	for _, s := range saved {
		l := s.Link
		if l.Token != "" {
			l.Hash = protocol.HashToken(l.Token)
		}
		if err := l.check(); err != nil || b.links[l.Name] != nil || len(b.links) >= MaxLinks {
			b.log.Warn("a saved link is left out", "link", protocol.Quote(l.Name), "err", err)
			continue
		}
		b.links[l.Name] = &entry{Link: l, sessions: map[*Session]struct{}{}, watched: time.Duration(s.WatchSeconds * float64(time.Second)), lastSeen: s.LastSeen}
	}
	b.mu.Lock()
	b.expireLocked(d.Now())
	b.mu.Unlock()
	return b
}

// Changed is closed at the next change of the links (added, revoked,
// expired, set): whoever passes them on (a push to a relay) sends them
// again.
func (b *Book) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changed
}

// changedLocked wakes Changed's waiters and saves the links.
func (b *Book) changedLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
	b.version++
	b.dirty = false
	go b.save(b.savedLocked(), b.version)
}

// sorted lists the entries oldest first (then by name).
func (b *Book) sorted() []*entry {
	out := make([]*entry, 0, len(b.links))
	for _, e := range b.links {
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y *entry) int {
		if c := x.Created.Compare(y.Created); c != 0 {
			return c
		}
		if x.Name < y.Name {
			return -1
		}
		return 1
	})
	return out
}

// Add makes a new link from spec.
func (b *Book) Add(spec Spec) (Link, error) {
	now := b.d.Now()
	expires, err := ParseExpiry(spec.ExpiresIn, spec.ExpiresAt, now)
	if err != nil {
		return Link{}, err
	}
	token := spec.Token
	if token == "" {
		token = protocol.NewToken()
	}
	l := Link{Name: spec.Name, Token: token, Hash: protocol.HashToken(token), Streams: slices.Clone(spec.Streams),
		Expires: expires, MaxViewers: spec.MaxViewers, Recordings: spec.Recordings, Created: now.Truncate(time.Second)}
	if err := l.check(); err != nil {
		return Link{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Link{}, ErrClosed
	}
	if b.links[l.Name] != nil {
		return Link{}, fmt.Errorf("%w: %s", ErrExists, protocol.Quote(l.Name))
	}
	if len(b.links) >= MaxLinks {
		return Link{}, tooMany(fmt.Sprintf("there are %d links already: revoke one first", MaxLinks))
	}
	for _, e := range b.links {
		if e.Hash == l.Hash {
			return Link{}, fmt.Errorf("link %s has that token", protocol.Quote(e.Name))
		}
	}
	if err := b.checkPerStreamLocked(l, l.Name); err != nil {
		return Link{}, err
	}
	b.links[l.Name] = &entry{Link: l, sessions: map[*Session]struct{}{}}
	b.changedLocked()
	b.scheduleLocked(now)
	return l, nil
}

// checkPerStreamLocked refuses a link that would make a stream's links
// more than MaxPerStream (a link for every stream counts for each); the
// link called replacing is not counted (the one l replaces).
func (b *Book) checkPerStreamLocked(l Link, replacing string) error {
	const every = "\x00every" // no stream's name: counts the links for every stream
	count := func(stream string) int {
		n := 0
		for _, e := range b.links {
			if e.Name != replacing && e.Opens(stream) {
				n++
			}
		}
		return n
	}
	streams := l.Streams
	if len(streams) == 0 {
		streams = []string{every}
		for _, e := range b.links {
			streams = append(streams, e.Streams...)
		}
	}
	for _, s := range streams {
		if count(s) >= MaxPerStream {
			what := "stream " + protocol.Quote(s)
			if s == every {
				what = "every stream"
			}
			return tooMany(fmt.Sprintf("%s has %d links already: revoke one first", what, MaxPerStream))
		}
	}
	return nil
}

// Revoke removes the link called name at once: its viewers are told and
// cut off, and its token is refused ("revoked") from now on.
func (b *Book) Revoke(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.links[name]
	if e == nil {
		return fmt.Errorf("%w: %s", ErrNoLink, protocol.Quote(name))
	}
	b.removeLocked(e, "revoked", b.d.Now())
	b.changedLocked()
	return nil
}

// removeLocked forgets e, keeps its hash as revoked and cuts its sessions.
func (b *Book) removeLocked(e *entry, why string, now time.Time) {
	delete(b.links, e.Name)
	keep := b.revoked[:0]
	for _, t := range b.revoked {
		if now.Before(t.until) && t.hash != e.Hash {
			keep = append(keep, t)
		}
	}
	keep = append(keep, tomb{hash: e.Hash, until: now.Add(keepRevoked)})
	if len(keep) > maxRevoked {
		keep = keep[len(keep)-maxRevoked:]
	}
	b.revoked = keep
	b.cutLocked(e, why)
}

// cutLocked ends every session of e, saying why.
func (b *Book) cutLocked(e *entry, why string) {
	text := "this link was " + why
	for s := range e.sessions {
		s.cutWith(why, text)
	}
}

// Rename follows a stream's new name in the links that name it.
func (b *Book) Rename(from, to string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	changed := false
	for _, e := range b.links {
		if i := slices.Index(e.Streams, from); i >= 0 {
			e.Streams = slices.Clone(e.Streams)
			e.Streams[i] = to
			changed = true
		}
	}
	if changed {
		b.changedLocked()
	}
}

// Links lists the links, oldest first.
func (b *Book) Links() []Link {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Link, 0, len(b.links))
	for _, e := range b.sorted() {
		l := e.Link
		l.Streams = slices.Clone(l.Streams)
		out = append(out, l)
	}
	return out
}

// List is each link with its use, oldest first.
func (b *Book) List() []Status {
	now := b.d.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Status, 0, len(b.links))
	for _, e := range b.sorted() {
		out = append(out, b.statusLocked(e, now))
	}
	return out
}

// Get is the link called name with its use.
func (b *Book) Get(name string) (Status, bool) {
	now := b.d.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.links[name]
	if e == nil {
		return Status{}, false
	}
	return b.statusLocked(e, now), true
}

func (b *Book) statusLocked(e *entry, now time.Time) Status {
	st := Status{Link: e.Link, Viewers: e.viewers(), WatchSeconds: e.watched.Seconds(), LastSeen: e.lastSeen, Expired: e.Expired(now)}
	st.Streams = slices.Clone(st.Streams)
	for s := range e.sessions {
		if s.rec.Kind == KindClip {
			continue
		}
		st.WatchSeconds += now.Sub(s.rec.Start).Seconds()
	}
	if st.Viewers > 0 {
		st.LastSeen = now
	}
	return st
}

// Close stops the expiry timer, saves what is unsaved and writes the clip
// records held to the audit. Sessions are their servers' to end (closing
// a server ends its viewers, whose records still reach the audit): close
// the Book after the servers, and the audit after the Book.
func (b *Book) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	if b.expiry != nil {
		b.expiry.Stop()
	}
	if b.saveT != nil {
		b.saveT.Stop()
	}
	b.version++
	s, v := b.savedLocked(), b.version
	b.mu.Unlock()
	b.save(s, v)
	if b.audit != nil {
		b.audit.Close()
	}
}
