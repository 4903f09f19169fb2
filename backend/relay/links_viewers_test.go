package relay

import (
	"context"
	"encoding/json"
	"image/color"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/links"
	"framecast/backend/protocol"
	"framecast/internal/testnet"

	"github.com/gorilla/websocket"
)

// feedEvery is the test producer's frame interval (50 fps).
const feedEvery = 20 * time.Millisecond

// feeder is a producer sending a frame every feedEvery, and the control
// messages the test gives it between frames. Its goroutine alone writes to
// the connection.
type feeder struct {
	sent atomic.Int64
	text chan []byte
}

func feedLinks(t *testing.T, prod *websocket.Conn) *feeder {
	t.Helper()
	f := &feeder{text: make(chan []byte)}
	jpg := picture(t, 64, 36, color.RGBA{20, 200, 20, 255})
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(feedEvery)
		defer tick.Stop()
		for seq := uint64(1); ; {
			select {
			case <-stop:
				return
			case msg := <-f.text:
				if prod.WriteMessage(websocket.TextMessage, msg) != nil {
					return
				}
			case <-tick.C:
				msg, _ := protocol.EncodeFrame(protocol.Header{Seq: seq, TS: time.Now().UnixMicro(), W: 64, H: 36}, jpg)
				if prod.WriteMessage(websocket.BinaryMessage, msg) != nil {
					return
				}
				f.sent.Add(1)
				seq++
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return f
}

// offer sends the producer's links and reports when.
func (f *feeder) offer(offers ...protocol.LinkOffer) time.Time {
	msg, _ := json.Marshal(protocol.NewLinksOffer(offers))
	f.text <- msg
	return time.Now()
}

// watchWith connects a viewer of stream with token and waits for its
// first frames.
func watchWith(t *testing.T, base, stream, token string) *client.Watcher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, base+"/s/"+stream+"/ws?token="+url.QueryEscape(token), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	w := client.Watch(v)
	testnet.WaitFor(t, 10*time.Second, "the viewer's first frames", func() bool { return w.Frames() >= 3 })
	return w
}

// endsWith waits for the viewer's bye saying want and the end of its
// connection, and reports how long after since the connection ended.
func endsWith(t *testing.T, w *client.Watcher, want string, since time.Time) time.Duration {
	t.Helper()
	reason, ok := w.Wait(10 * time.Second)
	if !ok || !strings.Contains(reason, want) {
		t.Fatalf("bye %q (ended: %v), want it to say %q", reason, ok, want)
	}
	return w.Ended().Sub(since)
}

// refusedAs asks for path with token and returns the status and why.
func refusedAs(t *testing.T, base, path, token string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + path + "?token=" + url.QueryEscape(token))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, resp.Header.Get(protocol.RefusedHeader)
}

func httpBase(rl *Relay) string { return "http://" + rl.Addr().String() }

func TestALinkTheProducerRevokesIsCutOnTheRelayWithinASecondAndTheOtherWatchesOn(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	f := feedLinks(t, prod)
	f.offer(linkOffer("Acme QA", acmeToken, 0), linkOffer("Beta", betaToken, 0))
	s := rl.table.Lookup("cam")
	waitFor(t, "the links", func() bool { return admits(s, betaToken) == "" })
	acme, beta := watchWith(t, wsBase(rl), "cam", acmeToken), watchWith(t, wsBase(rl), "cam", betaToken)

	revoked := f.offer(linkOffer("Beta", betaToken, 0))
	took := endsWith(t, acme, links.RefusedRevoked, revoked)
	t.Logf("the revoked link's viewer was closed %v after the producer's offer", took)
	if took > time.Second {
		t.Errorf("the revoked link's viewer was closed %v after the offer, want within 1 s", took)
	}
	// The other link's viewer watches on at the producer's rate.
	mark, sent, at := beta.Frames(), f.sent.Load(), time.Now()
	waitFor(t, "Beta's viewer goes on", func() bool { return beta.Frames() >= mark+50 })
	got, want := float64(beta.Frames()-mark), float64(f.sent.Load()-sent)
	t.Logf("Beta's viewer: %.0f frames of %.0f sent in %v", got, want, time.Since(at).Round(time.Millisecond))
	if got < 0.8*want {
		t.Errorf("Beta's viewer got %.0f of %.0f frames after the revocation", got, want)
	}
	select {
	case reason := <-beta.Bye():
		t.Fatalf("Beta's viewer was told %q", reason)
	default:
	}
	for _, path := range []string{"/s/cam/", "/s/cam/api/state", "/s/cam/snapshot.jpg"} {
		if code, why := refusedAs(t, httpBase(rl), path, acmeToken); code != http.StatusUnauthorized || why != links.RefusedRevoked {
			t.Fatalf("%s with the revoked token: %d %q", path, code, why)
		}
	}
	// The producer gets the record of the connection cut, by the link's
	// name, never a token.
	for {
		r := nextOf[protocol.AuditRecords](t, prod, protocol.TypeAudit)
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), acmeToken) || strings.Contains(string(b), betaToken) {
			t.Fatalf("a token in the records: %s", b)
		}
		if len(r.Records) > 0 && r.Records[0].Link == "Acme QA" {
			if rec := r.Records[0]; rec.Reason != links.RefusedRevoked || rec.Kind != "ws" || rec.Bytes == 0 || rec.Addr == "" {
				t.Fatalf("Acme's record %+v", rec)
			}
			break
		}
	}
}

func TestALinkExpiringOnTheRelayIsToldAndClosedThenSaysExpired(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	f := feedLinks(t, prod)
	expires := time.Now().Add(2 * time.Second)
	f.offer(protocol.NewLinkOffer("Acme QA", protocol.HashToken(acmeToken), expires, 0))
	s := rl.table.Lookup("cam")
	waitFor(t, "the link", func() bool { return admits(s, acmeToken) == "" })
	v := watchWith(t, wsBase(rl), "cam", acmeToken)
	took := endsWith(t, v, links.RefusedExpired, expires)
	t.Logf("closed %v after the link expired", took)
	if took > time.Second || took < 0 {
		t.Errorf("the viewer was closed %v after the expiry, want within 1 s of it", took)
	}
	if code, why := refusedAs(t, httpBase(rl), "/s/cam/", acmeToken); code != http.StatusUnauthorized || why != links.RefusedExpired {
		t.Fatalf("the expired token: %d %q", code, why)
	}
}

func TestALinksCapOnTheRelayRefusesOneViewerMore(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	f := feedLinks(t, prod)
	f.offer(linkOffer("Acme QA", acmeToken, 1))
	s := rl.table.Lookup("cam")
	waitFor(t, "the link", func() bool { return admits(s, acmeToken) == "" })
	first := watchWith(t, wsBase(rl), "cam", acmeToken)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if v, err := client.Dial(ctx, wsBase(rl)+"/s/cam/ws?token="+acmeToken, nil); err == nil {
		v.Close()
		t.Fatal("a second viewer of a link capped at 1 was let in")
	}
	if code, _ := refusedAs(t, httpBase(rl), "/s/cam/stream.mjpg", acmeToken); code != http.StatusServiceUnavailable {
		t.Fatalf("a second MJPEG viewer: %d, want 503", code)
	}
	select {
	case reason := <-first.Bye():
		t.Fatalf("the first viewer was told %q", reason)
	default:
	}
}
