package relay

import (
	"encoding/json"
	"fmt"

	"framecast/backend/links"
	"framecast/backend/protocol"
)

// Links in a cluster: the holder publishes its producer's links the
// moment they change (KindLinks) and claims the table's entry with them
// at once; every relay with the stream open applies them, and times
// their expiry itself. Each relay reports its viewers per link with its
// count (viewerReport.Links): the holder sums them for its producer, and
// every relay counts the others' to each link's cap. A follower's
// viewers' records go to the holder (KindAudit), which passes them on.

// poke makes run claim the stream at once.
func (l *link) poke() {
	select {
	case l.poked <- struct{}{}:
	default:
	}
}

// onLinks takes the links the holder published.
func (l *link) onLinks(b []byte) {
	var n linksNote
	if len(b) > l.bus.MaxPayload() || json.Unmarshal(b, &n) != nil {
		return
	}
	l.s.adoptLinks(n)
}

// remoteLinks sums the viewers per link the other relays last reported.
func (l *link) remoteLinks() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for _, r := range l.reports {
		for name, n := range r.links {
			out[name] += n
		}
	}
	return out
}

// onAudit takes records another relay's viewers left, for the producer.
func (l *link) onAudit(b []byte) {
	m, err := protocol.ParseRelayMessage(b)
	if err != nil {
		return
	}
	if recs, ok := m.(protocol.AuditRecords); ok {
		l.s.audit.add(recs.Records...)
	}
}

// passAudit sends this relay's viewers' records to the holder, a message
// at a time; records the bus does not take are dropped, and logged.
func (l *link) passAudit() {
	for {
		recs, dropped := l.s.audit.take()
		if dropped > 0 {
			l.s.log.Warn("viewers' records dropped: the holder was away too long", "count", dropped)
		}
		if len(recs) == 0 {
			return
		}
		b, _ := json.Marshal(protocol.NewAuditRecords(recs))
		if err := l.bus.Publish(KindAudit, l.s.Name, b); err != nil {
			l.s.log.Warn("viewers' records not passed on to the holder", "count", len(recs), "err", err)
		}
	}
}

// checkReportLinks bounds a report's counts per link.
func checkReportLinks(r viewerReport) error {
	if len(r.Links) > links.MaxLinks {
		return fmt.Errorf("report from %s: %d links, at most %d", protocol.Quote(r.Relay), len(r.Links), links.MaxLinks)
	}
	for name, n := range r.Links {
		if len(name) > links.MaxNameLen || n < 0 || n > r.Count {
			return fmt.Errorf("report from %s: link %s counts %d of %d", protocol.Quote(r.Relay), protocol.Quote(name), n, r.Count)
		}
	}
	return nil
}
