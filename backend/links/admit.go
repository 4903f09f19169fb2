package links

import (
	"crypto/subtle"
	"time"

	"framecast/backend/protocol"
)

// Why a Book refused a token, in the server's RefusedHeader.
const (
	RefusedRevoked = protocol.RefusedRevoked // the link was revoked
	RefusedExpired = protocol.RefusedExpired // the link expired
)

// Grant is what a token admitted: a link's name and rights. The zero
// Grant with Own set is a stream's own link (the operator's).
type Grant struct {
	// Link is the link's name; "" the stream's own link.
	Link string
	// Recordings: it may read the stream's recordings.
	Recordings bool
	book       *Book
	hash       [32]byte
}

// Own is the grant of a stream's own token: every right, audited under
// the link name "" in book (nil: not audited).
func Own(book *Book) Grant { return Grant{Recordings: true, book: book} }

// Admit looks token up among the links that open stream. It compares the
// token's hash with every link's, each in constant time, so the time
// taken does not say which. ok false: refused, reason says why (""
// unknown to the links, RefusedRevoked, RefusedExpired: no guess, whoever
// has it was given it).
func (b *Book) Admit(stream, token string) (g Grant, reason string, ok bool) {
	if b == nil || token == "" || len(token) > protocol.MaxTokenLen {
		return Grant{}, "", false
	}
	if b.isHeld() {
		return Grant{}, "", false
	}
	h := protocol.HashToken(token)
	now := b.d.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var found *entry
	for _, e := range b.links {
		if subtle.ConstantTimeCompare(h[:], e.Hash[:]) == 1 {
			found = e
		}
	}
	revoked := 0
	for _, t := range b.revoked {
		revoked |= subtle.ConstantTimeCompare(h[:], t.hash[:]) & boolInt(now.Before(t.until))
	}
	switch {
	case found != nil && found.Expired(now):
		return Grant{}, RefusedExpired, false
	case found != nil && found.Opens(stream):
		return Grant{Link: found.Name, Recordings: found.Recordings, book: b, hash: found.Hash}, "", true
	case found != nil:
		return Grant{}, "", false // a link, not to this stream: as a wrong token
	case revoked == 1:
		return Grant{}, RefusedRevoked, false
	}
	return Grant{}, "", false
}

// Opens lists which of streams token opens (a link for several shows them
// in a grid); nil for a token no link has, revoked or expired ones.
func (b *Book) Opens(token string, streams []string) []string {
	var out []string
	for _, s := range streams {
		if _, _, ok := b.Admit(s, token); ok {
			out = append(out, s)
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Viewer describes a connection a Grant opens (Join).
type Viewer struct {
	Stream, Addr, Kind, Codec, Rendition string
	// Clip is the span a clip download (KindClip) asked for (Record.Clip).
	Clip string
	// Cut ends the connection, telling the viewer text; it is called at
	// most once, when the link is revoked or expires, and must not block.
	Cut func(reason, text string)
	// Bytes says how many bytes it was sent so far (for connections still
	// open in the audit); nil: 0 until it ends.
	Bytes func() uint64
}

// Join opens a session of the grant's link: counted, cut when the link
// ends, audited when it ends (Session.End). ErrFull when the link's cap
// is reached, ErrNoLink when it was revoked or expired since Admit:
// refused, nothing changes.
func (g Grant) Join(v Viewer) (*Session, error) {
	s := &Session{rec: Record{Link: g.Link, Stream: v.Stream, Addr: v.Addr, Kind: v.Kind, Codec: v.Codec, Rendition: v.Rendition, Clip: v.Clip}, cut: v.Cut, bytes: v.Bytes}
	b := g.book
	if b == nil {
		s.rec.Start = time.Now()
		return s, nil // not audited
	}
	now := b.d.Now()
	s.rec.Start, s.book = now, b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if g.Link == "" {
		b.own[s] = struct{}{}
		return s, nil
	}
	e := b.links[g.Link]
	if e == nil || e.Hash != g.hash {
		return nil, ErrNoLink
	}
	if e.Expired(now) {
		return nil, ErrNoLink
	}
	if e.MaxViewers > 0 && v.Kind != KindClip {
		n := e.watching()
		for _, c := range e.shared {
			n += c
		}
		if n >= e.MaxViewers {
			return nil, ErrFull
		}
	}
	s.entry = e
	e.sessions[s] = struct{}{}
	e.lastSeen = now
	b.usedLocked()
	return s, nil
}
