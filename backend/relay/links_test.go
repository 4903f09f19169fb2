package relay

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"framecast/backend/links"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Tokens of two customers' links.
const (
	acmeToken = "acme-link-token-0123456789"
	betaToken = "beta-link-token-0123456789"
)

// offerLinks sends the producer's links.
func offerLinks(t *testing.T, prod *websocket.Conn, offers ...protocol.LinkOffer) {
	t.Helper()
	msg, _ := json.Marshal(protocol.NewLinksOffer(offers))
	if err := prod.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
}

// linkOffer offers a link of token that never expires.
func linkOffer(name, token string, maxViewers int) protocol.LinkOffer {
	return protocol.NewLinkOffer(name, protocol.HashToken(token), time.Time{}, maxViewers)
}

// nextOf reads the producer's messages until one of type kind.
func nextOf[T any](t *testing.T, prod *websocket.Conn, kind string) T {
	t.Helper()
	for {
		_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := prod.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for a %q message: %v", kind, err)
		}
		var m struct{ Type string }
		if json.Unmarshal(msg, &m) == nil && m.Type == kind {
			var v T
			if err := json.Unmarshal(msg, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
}

// admits says how the stream's links take token: "" admitted, else why not.
func admits(s *Stream, token string) string {
	if _, reason, ok := s.book.Admit(s.Name, token); !ok {
		return "refused " + reason
	}
	return ""
}

// join opens a session of token's link on the stream's Book, as the
// stream's handler does for a viewer, and returns it and its cut reason.
func join(t *testing.T, s *Stream, token string) (*links.Session, <-chan string, error) {
	t.Helper()
	g, reason, ok := s.book.Admit(s.Name, token)
	if !ok {
		t.Fatalf("token refused: %q", reason)
	}
	cut := make(chan string, 1)
	sess, err := g.Join(links.Viewer{Stream: s.Name, Addr: "192.0.2.7:4000", Kind: "ws", Cut: func(reason, _ string) { cut <- reason }})
	return sess, cut, err
}

func TestTheProducersLinksAdmitTheirTokensAndOneLeftOutIsRevokedAndCut(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	s := rl.table.Lookup("cam")
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, 0), linkOffer("Beta", betaToken, 0))
	waitFor(t, "both links", func() bool { return admits(s, acmeToken) == "" && admits(s, betaToken) == "" })
	acme, acmeCut, err := join(t, s, acmeToken)
	if err != nil {
		t.Fatal(err)
	}
	defer acme.End(0)
	beta, betaCut, err := join(t, s, betaToken)
	if err != nil {
		t.Fatal(err)
	}
	defer beta.End(0)

	offerLinks(t, prod, linkOffer("Beta", betaToken, 0))
	select {
	case why := <-acmeCut:
		if why != links.RefusedRevoked {
			t.Fatalf("Acme's viewer cut: %q", why)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Acme's viewer was not cut")
	}
	if got := admits(s, acmeToken); got != "refused revoked" {
		t.Fatalf("Acme's token: %s", got)
	}
	select {
	case why := <-betaCut:
		t.Fatalf("Beta's viewer cut too: %q", why)
	default:
	}
	if got := admits(s, betaToken); got != "" {
		t.Fatalf("Beta's token: %s", got)
	}
}

func TestBadLinksFromAProducerAreRefusedAndChangeNothing(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	s := rl.table.Lookup("cam")
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, 0))
	waitFor(t, "the link", func() bool { return admits(s, acmeToken) == "" })
	good := linkOffer("Beta", betaToken, 0)
	tooMany := make([]protocol.LinkOffer, links.MaxLinks+1)
	for i := range tooMany {
		tooMany[i] = linkOffer(fmt.Sprintf("link %d", i), fmt.Sprintf("token-of-link-%04d-xxxxxx", i), 0)
	}
	cases := []struct {
		name   string
		offers []protocol.LinkOffer
		says   string
	}{
		{"a name with a control character", []protocol.LinkOffer{good, linkOffer("Acme\nQA", acmeToken, 0)}, "control"},
		{"an empty name", []protocol.LinkOffer{linkOffer("", acmeToken, 0)}, "name"},
		{"a name too long", []protocol.LinkOffer{linkOffer(strings.Repeat("n", 65), acmeToken, 0)}, "bytes"},
		{"a hash of 63 characters", []protocol.LinkOffer{{Name: "Beta", Hash: good.Hash[:63]}}, "64 hex"},
		{"a hash that is not hex", []protocol.LinkOffer{{Name: "Beta", Hash: strings.Repeat("z", 64)}}, "64 hex"},
		{"an expiry that is no time", []protocol.LinkOffer{{Name: "Beta", Hash: good.Hash, ExpiresAt: "in a week"}}, "RFC 3339"},
		{"a negative cap", []protocol.LinkOffer{linkOffer("Beta", betaToken, -1)}, "max_viewers"},
		{"a cap over the bound", []protocol.LinkOffer{linkOffer("Beta", betaToken, links.MaxViewersCap+1)}, "max_viewers"},
		{"a name twice", []protocol.LinkOffer{good, linkOffer("Beta", acmeToken, 0)}, "twice"},
		{"a hash twice", []protocol.LinkOffer{good, linkOffer("Acme QA", betaToken, 0)}, "hash"},
		{"more links than a Book holds", tooMany, "at most"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			offerLinks(t, prod, c.offers...)
			if why := nextError(t, prod); !strings.HasPrefix(why, "links:") || !strings.Contains(why, c.says) {
				t.Fatalf("refused with %q, want links: … %s", why, c.says)
			}
			if got := s.book.Links(); len(got) != 1 || got[0].Name != "Acme QA" || admits(s, acmeToken) != "" || admits(s, betaToken) == "" {
				t.Fatalf("the links changed: %+v", got)
			}
		})
	}
}

func TestTheProducerHearsEachLinksViewersAndTheirRecords(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	s := rl.table.Lookup("cam")
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, 0), linkOffer("Beta", betaToken, 0))
	waitFor(t, "the links", func() bool { return admits(s, betaToken) == "" })
	a1, _, _ := join(t, s, acmeToken)
	a2, _, _ := join(t, s, acmeToken)
	b1, _, _ := join(t, s, betaToken)
	for {
		m := nextOf[protocol.ViewerCount](t, prod, protocol.TypeViewers)
		if m.Links["Acme QA"] == 2 && m.Links["Beta"] == 1 {
			break
		}
	}
	a1.End(1000)
	b1.End(2000)
	var got []protocol.AuditRecord
	for len(got) < 2 {
		got = append(got, nextOf[protocol.AuditRecords](t, prod, protocol.TypeAudit).Records...)
	}
	byLink := map[string]protocol.AuditRecord{}
	for _, r := range got {
		byLink[r.Link] = r
	}
	if r := byLink["Acme QA"]; r.Bytes != 1000 || r.Stream != "cam" || r.Addr != "192.0.2.7:4000" || r.Kind != "ws" || !r.End.After(r.Start) && !r.End.Equal(r.Start) {
		t.Fatalf("Acme's record %+v", r)
	}
	if r := byLink["Beta"]; r.Bytes != 2000 {
		t.Fatalf("Beta's record %+v", r)
	}
	for {
		m := nextOf[protocol.ViewerCount](t, prod, protocol.TypeViewers)
		if m.Links["Acme QA"] == 1 && m.Links["Beta"] == 0 {
			if _, ok := m.Links["Beta"]; ok {
				t.Fatalf("a link without viewers counted: %v", m.Links)
			}
			break
		}
	}
	a2.End(0)
}

func TestLinksStayWhileTheProducerIsAwayAndItsRecordsWaitForIt(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	s := rl.table.Lookup("cam")
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, 0))
	waitFor(t, "the link", func() bool { return admits(s, acmeToken) == "" })
	v := watch(t, rl, "cam", viewToken, "") // keeps the stream while the producer is away
	sess, _, _ := join(t, s, acmeToken)
	prod.Close()
	waitFor(t, "the producer gone", func() bool { p, _ := s.producing(); return !p })
	if got := admits(s, acmeToken); got != "" {
		t.Fatalf("with the producer gone, its link: %s", got)
	}
	sess.End(42)
	prod = produce(t, rl, "cam", viewToken)
	r := nextOf[protocol.AuditRecords](t, prod, protocol.TypeAudit)
	if len(r.Records) != 1 || r.Records[0].Link != "Acme QA" || r.Records[0].Bytes != 42 {
		t.Fatalf("records the producer found on its return: %+v", r.Records)
	}
	v.Close()
}

func TestAStreamKeepsABoundedNumberOfRecordsForItsProducer(t *testing.T) {
	q := newAuditQueue()
	for i := range maxAuditQueue + 10 {
		q.Write(links.Record{Link: "a", Bytes: uint64(i)})
	}
	select {
	case <-q.waiting():
	default:
		t.Fatal("records wait, and waiting is not closed")
	}
	var all []protocol.AuditRecord
	var dropped uint64
	for {
		recs, d := q.take()
		dropped += d
		if len(recs) > protocol.MaxAuditRecords {
			t.Fatalf("%d records in one take", len(recs))
		}
		if len(recs) == 0 {
			break
		}
		all = append(all, recs...)
	}
	if len(all) != maxAuditQueue || dropped != 10 || all[0].Bytes != 10 {
		t.Fatalf("kept %d (first %d), dropped %d", len(all), all[0].Bytes, dropped)
	}
	select {
	case <-q.waiting():
		t.Fatal("nothing waits, and waiting is closed")
	default:
	}
}

func TestAnotherProducersLinksNeverOpenTheStreamItTakes(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	s := rl.table.Lookup("cam")
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, 0))
	waitFor(t, "the link", func() bool { return admits(s, acmeToken) == "" })
	v := watch(t, rl, "cam", viewToken, "") // keeps the stream while the producer is away
	defer v.Close()
	_, cut, _ := join(t, s, acmeToken)
	prod.Close()
	waitFor(t, "the producer gone", func() bool { p, _ := s.producing(); return !p })

	t.Run("the same producer with a new view token, offering its links again, keeps their viewers", func(t *testing.T) {
		again := produce(t, rl, "cam", "a-new-view-token-0123456789")
		if got := admits(s, acmeToken); got == "" {
			t.Fatal("the last producer's link opens the stream before the new one offers it")
		}
		offerLinks(t, again, linkOffer("Acme QA", acmeToken, 0))
		waitFor(t, "the link offered again", func() bool { return admits(s, acmeToken) == "" })
		select {
		case why := <-cut:
			t.Fatalf("its viewer was cut: %q", why)
		case <-time.After(linksGrace + 500*time.Millisecond):
		}
		again.Close()
		waitFor(t, "the producer gone", func() bool { p, _ := s.producing(); return !p })
	})
	t.Run("another producer that offers none: the links are revoked and their viewers cut", func(t *testing.T) {
		other := produce(t, rl, "cam", "another-producers-token-0123")
		defer other.Close()
		if got := admits(s, acmeToken); got == "" {
			t.Fatal("the last producer's link opens another producer's stream")
		}
		select {
		case why := <-cut:
			if why != links.RefusedRevoked {
				t.Fatalf("cut as %q", why)
			}
		case <-time.After(linksGrace + 5*time.Second):
			t.Fatal("the last producer's link viewer watches another producer's stream")
		}
		if got := admits(s, acmeToken); got != "refused revoked" {
			t.Fatalf("the link after: %s", got)
		}
	})
}
