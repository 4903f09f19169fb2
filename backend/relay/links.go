package relay

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"framecast/backend/links"
	"framecast/backend/protocol"
)

// Per-customer links on the relay: each stream has a links.Book its
// handler admits viewers with, besides the stream's own token. The
// producer fills it (protocol.LinksOffer: names, token hashes, expiries,
// caps); in a cluster the holder passes them on to every relay with the
// stream open (KindLinks, and the table's entry for relays that open it
// later). Each Book times its links' expiry itself. A producer gone leaves
// the links as they were: their viewers wait for it like the others.

// control takes one of producer p's control messages.
func (s *Stream) control(p *publisher, msg []byte) error {
	m, err := protocol.ParseProducerMessage(msg)
	if err != nil {
		return err
	}
	switch m := m.(type) {
	case protocol.RenditionsOffer:
		return s.setLadder(p, m)
	case protocol.LinksOffer:
		return s.offerLinks(p, m)
	}
	return fmt.Errorf("control message %T", m)
}

// offerLinks replaces the stream's links with those producer p offers,
// checked (checkLinks): a bad offer changes nothing. In a cluster the
// other relays are told at once, and the table's entry is claimed again.
func (s *Stream) offerLinks(p *publisher, o protocol.LinksOffer) error {
	ls, err := checkLinks(o.Links)
	if err != nil {
		return err
	}
	s.mu.Lock()
	current := s.publisher == p
	s.mu.Unlock()
	if !current {
		return errNotProducer
	}
	s.setLinks(o.Links, ls)
	return nil
}

// linksGrace is how long a producer with a new view token has to offer
// its links before the last producer's are revoked.
const linksGrace = 2 * time.Second

// holdLinks follows a producer with another view token: the links the
// last one offered open nothing new from now on, on every relay of a
// cluster (told at once), and unless the new one offers them again within
// linksGrace (a Framecast producer offers its links as it connects) they
// are revoked, their viewers cut off: one producer's customers never
// watch another's stream on the same name.
func (s *Stream) holdLinks() {
	s.linksMu.Lock()
	had, offers := len(s.linkOffers) > 0, s.linkOffers
	at := time.Now()
	if had {
		if !at.After(s.linksAt) {
			at = s.linksAt.Add(time.Nanosecond)
		}
		s.linksAt, s.linksHeld = at, true
	}
	s.linksMu.Unlock()
	if !had {
		return
	}
	s.book.Hold()
	s.publishLinks(linksNote{At: at, Links: offers, Held: true})
	time.AfterFunc(linksGrace, func() {
		s.linksMu.Lock()
		offered := !s.linksAt.Equal(at)
		s.linksMu.Unlock()
		if !offered {
			s.setLinks([]protocol.LinkOffer{}, nil)
		}
	})
}

// setLinks makes the producer's offers (ls, checked) the stream's links;
// in a cluster the other relays are told at once, and the table's entry
// is claimed again.
func (s *Stream) setLinks(offers []protocol.LinkOffer, ls []links.Link) {
	at, changed := s.applyLinks(offers, ls, time.Now(), true)
	if changed {
		s.publishLinks(linksNote{At: at, Links: offers})
	}
}

// publishLinks tells the other relays of a cluster the links at once, and
// has the table's entry claimed again with them.
func (s *Stream) publishLinks(n linksNote) {
	if s.link == nil {
		return
	}
	b, _ := json.Marshal(n)
	if err := s.bus.Publish(KindLinks, s.Name, b); err != nil {
		s.log.Warn("telling the cluster of the links", "err", err)
	}
	s.link.poke()
}

// linksNote is the links as the holder publishes them on the bus (and
// keeps them in the table's entry): At orders them, so a relay never goes
// back to older ones it reads later. Held: a new producer has not offered
// its links yet; they open nothing new until it does (holdLinks).
type linksNote struct {
	At    time.Time            `json:"at"`
	Links []protocol.LinkOffer `json:"links"`
	Held  bool                 `json:"held,omitempty"`
}

// applyLinks makes ls (checked, from offers) the stream's links, as of at,
// unless the stream has later ones; a producer here (own) always wins,
// as of at or just after the links it replaces, whatever another relay's
// clock said. Unchanged links are left alone. It reports as of when the
// links are, and whether they changed.
func (s *Stream) applyLinks(offers []protocol.LinkOffer, ls []links.Link, at time.Time, own bool) (time.Time, bool) {
	s.linksMu.Lock()
	defer s.linksMu.Unlock()
	if !at.After(s.linksAt) {
		if !own {
			return s.linksAt, false
		}
		at = s.linksAt.Add(time.Nanosecond)
	}
	s.linksAt = at
	if s.linkOffers != nil && slices.Equal(offers, s.linkOffers) && !s.linksHeld {
		return at, false
	}
	// Offered again after a hold, the same links are no longer held.
	s.linkOffers, s.linksHeld = slices.Clone(offers), false
	s.book.Set(ls)
	return at, true
}

// adoptLinks takes links the holder published (or wrote in the table),
// unless they are older than the stream's or do not pass checkLinks.
func (s *Stream) adoptLinks(n linksNote) {
	if n.At.IsZero() {
		return // the holder's producer offers none
	}
	if n.Held {
		s.adoptHold(n.At)
		return
	}
	ls, err := checkLinks(n.Links)
	if err != nil {
		s.log.Warn("links from the cluster refused", "err", err)
		return
	}
	if n.Links == nil {
		n.Links = []protocol.LinkOffer{}
	}
	s.applyLinks(n.Links, ls, n.At, false)
}

// adoptHold holds the stream's links as the holder did at at (its
// producer changed), unless the stream has later ones.
func (s *Stream) adoptHold(at time.Time) {
	s.linksMu.Lock()
	defer s.linksMu.Unlock()
	if !at.After(s.linksAt) {
		return
	}
	s.linksAt, s.linksHeld = at, true
	s.book.Hold()
}

// offeredLinks is the links as the stream has them, for the table.
func (s *Stream) offeredLinks() linksNote {
	s.linksMu.Lock()
	defer s.linksMu.Unlock()
	return linksNote{At: s.linksAt, Links: s.linkOffers, Held: s.linksHeld}
}

// checkLinks turns a producer's offers into the Book's links: at most
// links.MaxLinks, names by links.CheckName and each once, a hash of 64
// hex characters each once, an RFC 3339 expiry or none, a cap of 0 (none)
// to links.MaxViewersCap. Each opens the stream alone.
func checkLinks(offers []protocol.LinkOffer) ([]links.Link, error) {
	if len(offers) > links.MaxLinks {
		return nil, fmt.Errorf("links: %d, at most %d", len(offers), links.MaxLinks)
	}
	out := make([]links.Link, 0, len(offers))
	names := map[string]bool{}
	hashes := map[[32]byte]bool{}
	for _, o := range offers {
		if err := links.CheckName(o.Name); err != nil {
			return nil, fmt.Errorf("links: %s: %w", protocol.Quote(o.Name), err)
		}
		hash, expires, err := o.Parse()
		if err != nil {
			return nil, fmt.Errorf("links: %w", err)
		}
		switch {
		case o.MaxViewers < 0 || o.MaxViewers > links.MaxViewersCap:
			return nil, fmt.Errorf("links: link %s: max_viewers must be 0 (no cap) to %d", protocol.Quote(o.Name), links.MaxViewersCap)
		case names[o.Name]:
			return nil, fmt.Errorf("links: link %s twice", protocol.Quote(o.Name))
		case hashes[hash]:
			return nil, fmt.Errorf("links: link %s has another's hash", protocol.Quote(o.Name))
		}
		names[o.Name], hashes[hash] = true, true
		out = append(out, links.Link{Name: o.Name, Hash: hash, Expires: expires, MaxViewers: o.MaxViewers})
	}
	return out, nil
}

// linkCounts is how many watch with each link: here, and on every other
// relay of a cluster while this one holds the producer.
func (s *Stream) linkCounts() map[string]int {
	counts := s.book.Counts()
	if s.link == nil {
		return counts
	}
	if holding, _ := s.producing(); !holding {
		return counts
	}
	for name, n := range s.link.remoteLinks() {
		counts[name] += n
	}
	return counts
}
