package push

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"framecast/backend/links"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Per-customer links through the relay: the push offers the relay the
// links of Config.Links that open the stream (their tokens' hashes, never
// the tokens) once connected and whenever they change; the relay admits
// viewers with them, says how many watch with each (shown in the Book
// among the link's viewers) and sends back the record of each connection
// that ended (kept in the Book's audit, Via the relay).

// linkOffers lists the links to offer: those of the Book that open the
// stream, expired ones too (the relay then says so to their viewers).
func (p *Pusher) linkOffers() []protocol.LinkOffer {
	out := []protocol.LinkOffer{}
	stream := ""
	if p.cfg.Stream != nil {
		stream = p.cfg.Stream()
	}
	for _, l := range p.cfg.Links.Links() {
		if l.Opens(stream) {
			out = append(out, protocol.NewLinkOffer(l.Name, l.Hash, l.Expires, l.MaxViewers))
		}
	}
	return out
}

// offerLinks tells the relay of the links when they changed since it was
// last told (sent, nil before the first); it reports what it is told now.
// Only the push goroutine writes to conn.
func (s *session) offerLinks() error {
	if s.p.cfg.Links == nil || s.noLinks.Load() {
		s.linksWake = nil
		return nil
	}
	// Taken before the links are read: a change from then on wakes run.
	s.linksWake = s.p.cfg.Links.Changed()
	o := s.p.linkOffers()
	if s.linksSent != nil && slices.Equal(o, s.linksSent) {
		return nil
	}
	b, err := json.Marshal(protocol.NewLinksOffer(o))
	if err != nil {
		return fmt.Errorf("links: %w", err)
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	s.linksSent = o
	return nil
}

// heardLinks takes the relay's viewers per link, for the Book's list.
func (s *session) heardLinks(counts map[string]int) {
	if s.p.cfg.Links != nil {
		s.p.cfg.Links.SetRemote(s.relay, counts)
	}
}

// audited keeps the records of connections that ended on the relay.
func (s *session) audited(recs []protocol.AuditRecord) {
	if s.p.cfg.Links == nil {
		return
	}
	for _, r := range recs {
		stream := r.Stream
		if s.p.cfg.Stream != nil {
			stream = s.p.cfg.Stream()
		}
		s.p.cfg.Links.Ended(links.Record{Link: r.Link, Stream: stream, Addr: r.Addr, Kind: r.Kind, Codec: r.Codec,
			Rendition: r.Rendition, Start: r.Start, End: r.End, Bytes: r.Bytes, Reason: r.Reason, Via: s.relay})
	}
}

// refusedLinks follows a relay's refusal: one from before links refuses
// them, and is not offered them again on this connection (logged once);
// viewers there need the stream's own token.
func (s *session) refusedLinks(why string) bool {
	if s.p.cfg.Links == nil || !protocol.RefusesLinks(why) {
		return false
	}
	if !s.noLinks.Swap(true) {
		s.p.log.Warn("the relay takes no customer links (it is older): viewers there need the stream's own link")
	}
	return true
}

// relayID names a relay in the Book's counts and records: its ingest URL
// without the query (which holds the tokens) or user.
func relayID(ingest string) string {
	u, err := url.Parse(ingest)
	if err != nil {
		return protocol.Redact(ingest)
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}
