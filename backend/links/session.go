package links

import (
	"slices"
)

// Session is one connection opened with a Grant, until End.
type Session struct {
	book  *Book
	entry *entry // nil for a stream's own link
	cut   func(reason, text string)
	bytes func() uint64
	rec   Record // guarded by book.mu once joined
	ended bool   // guarded by book.mu
}

// Link is the name of the session's link ("" the stream's own).
func (s *Session) Link() string { return s.rec.Link }

// cutWith ends the session from the Book's side; book.mu is held.
func (s *Session) cutWith(why, text string) {
	if s.ended || s.rec.Reason != "" {
		return
	}
	s.rec.Reason = why
	if s.cut != nil {
		s.cut(why, text)
	}
}

// Describe records what the connection takes now (a viewer moved to
// another codec or rendition).
func (s *Session) Describe(codec, rendition string) {
	if s == nil {
		return
	}
	if s.book == nil {
		s.rec.Codec, s.rec.Rendition = codec, rendition
		return
	}
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	s.rec.Codec, s.rec.Rendition = codec, rendition
}

// End closes the session: its link counts one viewer fewer and the
// audit gets its record. Calling it again does nothing.
func (s *Session) End(bytes uint64) {
	if s == nil || s.book == nil {
		return
	}
	b := s.book
	now := b.d.Now()
	b.mu.Lock()
	if s.ended {
		b.mu.Unlock()
		return
	}
	s.ended = true
	s.rec.End, s.rec.Bytes = now, bytes
	if s.entry != nil {
		delete(s.entry.sessions, s)
		if s.rec.Kind != KindClip {
			s.entry.watched += now.Sub(s.rec.Start)
		}
		s.entry.lastSeen = now
		b.usedLocked()
	} else {
		delete(b.own, s)
	}
	rec := s.rec
	b.mu.Unlock()
	if b.audit != nil {
		b.audit.Write(rec)
	}
}

// Open lists the connections open now, newest first, as records without
// an End (Bytes so far).
func (b *Book) Open() []Record {
	b.mu.Lock()
	var out []Record
	var sizes []func() uint64
	add := func(s *Session) {
		out = append(out, s.rec)
		sizes = append(sizes, s.bytes)
	}
	for s := range b.own {
		add(s)
	}
	for _, e := range b.links {
		for s := range e.sessions {
			add(s)
		}
	}
	b.mu.Unlock()
	for i, f := range sizes {
		if f != nil {
			out[i].Bytes = f()
		}
	}
	slices.SortFunc(out, func(x, y Record) int { return y.Start.Compare(x.Start) })
	return out
}

// Ended takes the record of a connection that ended elsewhere (a relay's
// viewer, Via set): the link's watch time and last seen, and the audit.
// A record of no link here is still audited.
func (b *Book) Ended(rec Record) {
	rec.Seq = 0
	b.mu.Lock()
	if e := b.links[rec.Link]; e != nil && rec.Link != "" && rec.End.After(rec.Start) {
		e.watched += rec.End.Sub(rec.Start)
		if rec.End.After(e.lastSeen) {
			e.lastSeen = rec.End
		}
		b.usedLocked()
	}
	b.mu.Unlock()
	if b.audit != nil {
		b.audit.Write(rec)
	}
}

// SetShared sets the viewers of each link on another relay of a cluster
// (from): they count to its cap and to its viewers. nil forgets from.
func (b *Book) SetShared(from string, counts map[string]int) { b.setCounts(from, counts, true) }

// SetRemote sets the viewers of each link on a relay this server pushes
// to (from): shown among its viewers, not capped here. nil forgets from.
func (b *Book) SetRemote(from string, counts map[string]int) { b.setCounts(from, counts, false) }

func (b *Book) setCounts(from string, counts map[string]int, shared bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for name, e := range b.links {
		m := &e.remote
		if shared {
			m = &e.shared
		}
		n := counts[name]
		switch {
		case n > 0 && *m == nil:
			*m = map[string]int{from: n}
		case n > 0:
			(*m)[from] = n
		default:
			delete(*m, from)
		}
		if n > 0 {
			e.lastSeen = b.d.Now()
		}
	}
}

// Counts are the viewers of each link that watch here now (a relay
// reports them to its producer and to the other relays); links without
// viewers are left out.
func (b *Book) Counts() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int{}
	for name, e := range b.links {
		if n := e.watching(); n > 0 {
			out[name] = n
		}
	}
	return out
}
