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

// A new producer with another view token on the holder holds the last
// producer's links on every relay at once, not only on the holder: none
// lets them open the new producer's stream during the grace the holder
// gives it to offer its links. Offered again, they open it again
// everywhere, and their viewers watched on; never offered, they are
// revoked everywhere.
func TestANewProducersHoldOfTheLinksReachesTheOtherRelaysAtOnce(t *testing.T) {
	net := newBusNet()
	ra := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("a", 1<<20) })
	rb := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("b", 1<<20) })
	prod := produce(t, ra, "cam", viewToken)
	offerLinks(t, prod, linkOffer("Acme QA", acmeToken, 0))
	watch(t, rb, "cam", viewToken, "")
	a, b := ra.table.Lookup("cam"), rb.table.Lookup("cam")
	waitFor(t, "b following the stream's links", func() bool { return net.listeners(KindLinks, "cam") == 1 && admits(b, acmeToken) == "" })
	acme, cut, err := join(t, b, acmeToken)
	if err != nil {
		t.Fatal(err)
	}
	defer acme.End(0)
	prod.Close()
	waitFor(t, "the producer gone", func() bool { p, _ := a.producing(); return !p })
	// b cannot read the table: the hold must come over the bus.
	net.setAway(true)

	again := produce(t, ra, "cam", "a-new-view-token-0123456789")
	// Held, not revoked (that comes after the grace): refused as a token
	// nobody has.
	waitFor(t, "b holding Acme's link", func() bool { return admits(b, acmeToken) == "refused " })
	offerLinks(t, again, linkOffer("Acme QA", acmeToken, 0))
	waitFor(t, "Acme's link offered again, on b", func() bool { return admits(b, acmeToken) == "" })
	select {
	case why := <-cut:
		t.Fatalf("Acme's viewer on b was cut: %q", why)
	case <-time.After(linksGrace + 500*time.Millisecond):
	}
	again.Close()
	waitFor(t, "the producer gone", func() bool { p, _ := a.producing(); return !p })

	other := produce(t, ra, "cam", "another-producers-token-0123")
	defer other.Close()
	waitFor(t, "b holding Acme's link", func() bool { return admits(b, acmeToken) == "refused " })
	select {
	case why := <-cut:
		if why != links.RefusedRevoked {
			t.Fatalf("cut as %q", why)
		}
	case <-time.After(linksGrace + 5*time.Second):
		t.Fatal("Acme's viewer on b watches another producer's stream")
	}
	waitFor(t, "Acme's link revoked on b", func() bool { return admits(b, acmeToken) == "refused revoked" })
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
