package relay

import (
	"errors"
	"testing"
	"time"

	"framecast/backend/links"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// linkedRelays starts relays "a" and "b" on one busNet, a producer of
// "cam" on a offering Acme's link (capped at maxAcme) and Beta's, and a
// viewer on b with the stream's own token, so b has the stream open.
func linkedRelays(t *testing.T, maxAcme int) (net *busNet, a, b *Stream, prod *websocket.Conn) {
	t.Helper()
	net = newBusNet()
	ra := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("a", 1<<20) })
	rb := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("b", 1<<20) })
	prod = produce(t, ra, "cam", viewToken)
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, maxAcme), linkOffer("Beta", betaToken, 0))
	waitFor(t, "the links in the table", func() bool { e, ok := net.row("cam"); return ok && len(e.Links) == 2 })
	watch(t, rb, "cam", viewToken, "")
	a, b = ra.table.Lookup("cam"), rb.table.Lookup("cam")
	waitFor(t, "b following the stream's links", func() bool { return net.listeners(KindLinks, "cam") == 1 && admits(b, acmeToken) == "" })
	return net, a, b, prod
}

func TestARevokedLinkIsCutOnAnotherRelayOfTheClusterAtOnce(t *testing.T) {
	net, _, b, prod := linkedRelays(t, 0)
	acme, cut, err := join(t, b, acmeToken)
	if err != nil {
		t.Fatal(err)
	}
	defer acme.End(0)
	// b cannot read the table: the links must come over the bus.
	net.setAway(true)
	sent := time.Now()
	offerLinks(t, prod, linkOffer("Beta", betaToken, 0))
	select {
	case why := <-cut:
		// The bus delivers at once: well under the table's 1 s look.
		if took := time.Since(sent); why != links.RefusedRevoked || took > 500*time.Millisecond {
			t.Fatalf("cut %q after %v", why, took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the viewer on b was not cut")
	}
	if got := admits(b, acmeToken); got != "refused revoked" {
		t.Fatalf("Acme's token on b: %s", got)
	}
	if got := admits(b, betaToken); got != "" {
		t.Fatalf("Beta's token on b: %s", got)
	}
}

func TestARelayNeverGoesBackToOlderLinksItReadsInTheTable(t *testing.T) {
	net, _, b, prod := linkedRelays(t, 0)
	old, _ := net.row("cam")
	offerLinks(t, prod, linkOffer("Beta", betaToken, 0))
	waitFor(t, "the revocation on b", func() bool { return admits(b, acmeToken) == "refused revoked" })
	// A copy of the table that is behind (a stale read) still names Acme:
	// each look at the table applies its links as this does.
	b.adoptLinks(linksNote{At: old.LinksAt, Links: old.Links})
	if got := admits(b, acmeToken); got != "refused revoked" {
		t.Fatalf("after reading older links, Acme's token on b: %q", got)
	}
}

func TestEachLinksViewersOnEveryRelayReachTheProducerAndCountToItsCap(t *testing.T) {
	_, a, b, prod := linkedRelays(t, 1)
	onB, _, err := join(t, b, acmeToken)
	if err != nil {
		t.Fatal(err)
	}
	beta, _, _ := join(t, a, betaToken)
	for {
		m := nextOf[protocol.ViewerCount](t, prod, protocol.TypeViewers)
		if m.Links["Acme QA"] == 1 && m.Links["Beta"] == 1 {
			break
		}
	}
	waitFor(t, "b's Acme viewer counted on a", func() bool {
		s, _, err := join(t, a, acmeToken)
		if err == nil {
			s.End(0)
		}
		return errors.Is(err, links.ErrFull)
	})
	onB.End(300)
	r := nextOf[protocol.AuditRecords](t, prod, protocol.TypeAudit)
	if len(r.Records) != 1 || r.Records[0].Link != "Acme QA" || r.Records[0].Bytes != 300 {
		t.Fatalf("records from b: %+v", r.Records)
	}
	waitFor(t, "Acme's place free on a", func() bool {
		s, _, err := join(t, a, acmeToken)
		if err == nil {
			s.End(0)
		}
		return err == nil
	})
	beta.End(0)
}
