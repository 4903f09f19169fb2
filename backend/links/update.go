package links

import (
	"errors"
	"fmt"
	"slices"

	"framecast/backend/protocol"
)

// Change is what the operator changes of a link (PATCH /api/links/<name>):
// a field left out stays as it is. The token stays: the customer keeps
// the link they were given.
type Change struct {
	// Name renames the link: its viewers, use and later records go on
	// under the new name (records written before keep the old one).
	Name *string `json:"name,omitempty"`
	// Streams it opens; an empty list: every stream. Viewers of a stream
	// it no longer opens are cut off.
	Streams *[]string `json:"streams,omitempty"`
	// ExpiresIn ("7d", from now) or ExpiresAt (RFC 3339), at most one;
	// either "": it never expires. An expired link opens its streams
	// again.
	ExpiresIn *string `json:"expires_in,omitempty"`
	ExpiresAt *string `json:"expires_at,omitempty"`
	// MaxViewers: 0, no cap. Lowered below the viewers watching, they
	// stay; new ones wait until some leave.
	MaxViewers *int `json:"max_viewers,omitempty"`
	// Recordings: false cuts off its clip downloads running.
	Recordings *bool `json:"recordings,omitempty"`
}

// ErrEmptyChange says a Change changes nothing.
var ErrEmptyChange = errors.New("the change names nothing to change (name, streams, expires_in or expires_at, max_viewers, recordings)")

// Update changes the link called name as ch says, checked as Add checks a
// new one: a refused change changes nothing.
func (b *Book) Update(name string, ch Change) (Link, error) {
	if ch == (Change{}) {
		return Link{}, ErrEmptyChange
	}
	now := b.d.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Link{}, ErrClosed
	}
	e := b.links[name]
	if e == nil {
		return Link{}, fmt.Errorf("%w: %s", ErrNoLink, protocol.Quote(name))
	}
	l := e.Link
	l.Streams = slices.Clone(l.Streams)
	if ch.Name != nil {
		l.Name = *ch.Name
	}
	if ch.Streams != nil {
		l.Streams = slices.Clone(*ch.Streams)
	}
	if ch.ExpiresIn != nil || ch.ExpiresAt != nil {
		in, at := "", ""
		if ch.ExpiresIn != nil {
			in = *ch.ExpiresIn
		}
		if ch.ExpiresAt != nil {
			at = *ch.ExpiresAt
		}
		if ch.ExpiresIn != nil && ch.ExpiresAt != nil {
			return Link{}, errors.New("give expires_in or expires_at, not both")
		}
		expires, err := ParseExpiry(in, at, now)
		if err != nil {
			return Link{}, err
		}
		l.Expires = expires
	}
	if ch.MaxViewers != nil {
		l.MaxViewers = *ch.MaxViewers
	}
	if ch.Recordings != nil {
		l.Recordings = *ch.Recordings
	}
	if err := l.check(); err != nil {
		return Link{}, err
	}
	if l.Name != name && b.links[l.Name] != nil {
		return Link{}, fmt.Errorf("%w: %s", ErrExists, protocol.Quote(l.Name))
	}
	if err := b.checkPerStreamLocked(l, name); err != nil {
		return Link{}, err
	}

	if !l.Expires.Equal(e.Expires) {
		e.cut = false // expires (again) at its new time
	}
	e.Link = l
	if l.Name != name {
		delete(b.links, name)
		b.links[l.Name] = e
	}
	for s := range e.sessions {
		s.rec.Link = l.Name
		switch {
		case !l.Opens(s.rec.Stream):
			s.cutWith(RefusedRevoked, "this link no longer opens this stream")
		case s.rec.Kind == KindClip && !l.Recordings:
			s.cutWith(RefusedRevoked, "this link may no longer read the recordings")
		}
	}
	b.changedLocked()
	b.scheduleLocked(now)
	return l, nil
}
