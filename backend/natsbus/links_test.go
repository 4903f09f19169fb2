package natsbus_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/links"
	"framecast/backend/protocol"
	"framecast/backend/push"
	"framecast/internal/testnet"
)

// auditSink keeps the producer's audit records.
type auditSink struct {
	mu   sync.Mutex
	recs []links.Record // guarded by mu
}

func (a *auditSink) Write(r links.Record) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = append(a.recs, r)
}

func (a *auditSink) of(link string) []links.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []links.Record
	for _, r := range a.recs {
		if r.Link == link {
			out = append(out, r)
		}
	}
	return out
}

// watchLink watches the stream on the relay at addr with a link's token;
// err when the relay refuses it.
func watchLink(t *testing.T, addr, token string) (*client.Watcher, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+addr+"/s/line/ws?token="+url.QueryEscape(token), nil)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = v.Close() })
	w := client.Watch(v)
	testnet.WaitFor(t, 10*time.Second, "the viewer's first frames", func() bool { return w.Frames() >= 3 })
	return w, nil
}

// closedAfter waits for the viewer's bye saying want and the end of its
// connection, and reports how long after since the connection ended.
func closedAfter(t *testing.T, w *client.Watcher, want string, since time.Time) time.Duration {
	t.Helper()
	reason, ok := w.Wait(10 * time.Second)
	if !ok || !strings.Contains(reason, want) {
		t.Fatalf("bye %q (ended: %v), want it to say %q", reason, ok, want)
	}
	return w.Ended().Sub(since)
}

func viewers(book *links.Book, name string) int {
	st, _ := book.Get(name)
	return st.Viewers
}

func TestCustomerLinksAcrossThreeRelays(t *testing.T) {
	servers := natsCluster(t)
	nodes := relays(t, servers)
	a, b, c := nodes[0].relay.Addr().String(), nodes[1].relay.Addr().String(), nodes[2].relay.Addr().String()
	sink := &auditSink{}
	book := links.NewBook(nil, links.BookDeps{Audit: sink})
	defer book.Close()
	acme, err := book.Add(links.Spec{Name: "Acme QA", MaxViewers: 2})
	if err != nil {
		t.Fatal(err)
	}
	beta, err := book.Add(links.Spec{Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	_, stop := pushFramesWith(t, a, []protocol.Rendition{{Name: "180p", W: 320, H: 180, Quality: 80}}, func(cfg *push.Config) {
		cfg.Links, cfg.Stream = book, func() string { return "line" }
	})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	for _, addr := range []string{b, c} {
		testnet.WaitFor(t, 10*time.Second, "the relay knows the stream", func() bool {
			_, code := state(t, addr, beta.Token)
			return code == http.StatusOK
		})
	}

	// Acme's viewers on B and C, Beta's on B; the producer's Book counts
	// them, the holder having summed the relays' reports.
	onB, err := watchLink(t, b, acme.Token)
	if err != nil {
		t.Fatal(err)
	}
	onC, err := watchLink(t, c, acme.Token)
	if err != nil {
		t.Fatal(err)
	}
	other, err := watchLink(t, b, beta.Token)
	if err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 10*time.Second, "each link's viewers in the producer's Book", func() bool {
		return viewers(book, "Acme QA") == 2 && viewers(book, "Beta") == 1
	})

	// Acme's cap of 2 holds across the relays: a third is refused on A
	// (the holder) and on C (which has one of them).
	for _, addr := range []string{a, c} {
		if v, err := watchLink(t, addr, acme.Token); err == nil {
			t.Fatalf("a third viewer of a link capped at 2 was let in on %s (%d frames)", addr, v.Frames())
		}
	}

	// Revoked on the producer: the viewers on B and C are told and closed
	// at once, Beta's watches on. The issue asks for 1 s; B and C learn of
	// it from the bus, not at their next look at the table (once a
	// second), so half of that is a wide margin.
	revoked := time.Now()
	if err := book.Revoke("Acme QA"); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]*client.Watcher{"B": onB, "C": onC} {
		took := closedAfter(t, v, links.RefusedRevoked, revoked)
		t.Logf("Acme's viewer on %s closed %v after the revocation", name, took)
		if took > 500*time.Millisecond {
			t.Errorf("Acme's viewer on %s closed %v after the revocation, want at once", name, took)
		}
	}
	mark := other.Frames()
	testnet.WaitFor(t, 10*time.Second, "Beta's viewer watches on", func() bool { return other.Frames() >= mark+30 })
	for _, addr := range []string{a, b, c} {
		resp, err := http.Get("http://" + addr + "/s/line/?token=" + url.QueryEscape(acme.Token))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get(protocol.RefusedHeader) != links.RefusedRevoked {
			t.Fatalf("the revoked token on %s: %d %q", addr, resp.StatusCode, resp.Header.Get(protocol.RefusedHeader))
		}
	}

	// Both connections' records reach the producer's audit through the
	// holder, by the link's name, via the relay it pushes to.
	testnet.WaitFor(t, 10*time.Second, "Acme's records in the producer's audit", func() bool { return len(sink.of("Acme QA")) >= 2 })
	for _, r := range sink.of("Acme QA") {
		if r.Reason != links.RefusedRevoked || r.Via != "ws://"+a+"/ingest/line" || r.Stream != "line" || r.Bytes == 0 || r.End.Before(r.Start) {
			t.Fatalf("record %+v", r)
		}
	}

	// Another producer (another view token, no links) takes the stream on
	// A: Beta's link stops opening it on B and C at once, held (refused as
	// a token nobody has: "not yet" on a relay), not only when A revokes it
	// after its grace.
	stop()
	stopped = true
	_, stopOther := pushFramesWith(t, a, []protocol.Rendition{{Name: "180p", W: 320, H: 180, Quality: 80}}, func(cfg *push.Config) {
		cfg.ViewToken = "another-producers-view-token-0123"
	})
	defer stopOther()
	for _, addr := range []string{b, c} {
		var why string
		testnet.WaitFor(t, 10*time.Second, "Beta's link refused on "+addr, func() bool {
			resp, err := http.Get("http://" + addr + "/s/line/?token=" + url.QueryEscape(beta.Token))
			if err != nil {
				return false
			}
			resp.Body.Close()
			why = resp.Header.Get(protocol.RefusedHeader)
			return resp.StatusCode == http.StatusUnauthorized
		})
		if why != protocol.RefusedNotYet {
			t.Fatalf("Beta's link on %s was first refused as %q, want %q (held): it opened the other producer's stream until revoked", addr, why, protocol.RefusedNotYet)
		}
	}
}
