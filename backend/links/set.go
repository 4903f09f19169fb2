package links

import (
	"slices"

	"framecast/backend/protocol"
)

// Hold makes the links admit nothing until the next Set: a relay stream's
// new producer (another view token) has not said which links are its own
// yet, and the last producer's must not open its stream. Viewers already
// watching stay until Set says whether their link is still one.
func (b *Book) Hold() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held = true
}

func (b *Book) isHeld() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held
}

// Set replaces the links with links, as a relay's producer tells them
// (hashes, no tokens). A link no longer among them is revoked: its
// viewers are cut off and its hash refused as revoked. Links that stay
// (the same hash, under the same name or a new one) keep their viewers
// and use.
func (b *Book) Set(links []Link) {
	now := b.d.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.held = false
	byHash := make(map[[32]byte]*entry, len(b.links))
	for _, e := range b.links {
		byHash[e.Hash] = e
	}
	next := map[string]*entry{}
	kept := map[*entry]bool{}
	for _, l := range links {
		if len(next) >= MaxLinks || next[l.Name] != nil {
			break
		}
		if l.Token != "" {
			l.Hash = protocol.HashToken(l.Token)
		}
		if l.check() != nil {
			continue
		}
		l.Streams = slices.Clone(l.Streams)
		e := byHash[l.Hash]
		if e != nil && !kept[e] {
			if !l.Expires.Equal(e.Expires) {
				e.cut = false
			}
			for s := range e.sessions {
				s.rec.Link = l.Name // renamed, perhaps
			}
			e.Link = l
		} else {
			e = &entry{Link: l, sessions: map[*Session]struct{}{}}
		}
		kept[e] = true
		next[l.Name] = e
	}
	for _, e := range b.links {
		if !kept[e] {
			b.removeLocked(e, RefusedRevoked, now)
		}
	}
	b.links = next
	b.changedLocked()
	b.expireLocked(now)
}
