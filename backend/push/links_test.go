package push

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/links"
	"framecast/backend/protocol"
	"framecast/internal/testnet"

	"github.com/gorilla/websocket"
)

// linksProducer pushes a test pattern to the relay at ingest, offering
// book's links of stream "line".
func linksProducer(t *testing.T, ingest string, book *links.Book, log *slog.Logger) *Pusher {
	t.Helper()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 60, MaxWidth: 160, MaxHeight: 90, FPS: 30, Enabled: true}, engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{URL: ingest, PublishToken: publishToken, ViewToken: viewToken, Links: book, Stream: func() string { return "line" }}, h, log)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); eng.Close() })
	return p
}

// oldRelayRefusal is what relays from before links answer any control
// message but a ladder, byte for byte.
const oldRelayRefusal = `{"error":"a control message must be {\"type\":\"renditions\",\"renditions\":[…]}","type":"error"}`

func TestAnOlderRelaysRefusalOfLinksIsLoggedOnceAndThePushCarriesOn(t *testing.T) {
	var linksSent, frames atomic.Int64
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"count":1,"type":"viewers"}`))
		for {
			kind, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if kind == websocket.BinaryMessage {
				frames.Add(1)
				continue
			}
			if strings.Contains(string(msg), `"type":"links"`) {
				linksSent.Add(1)
			}
			_ = conn.WriteMessage(websocket.TextMessage, []byte(oldRelayRefusal))
		}
	}))
	defer srv.Close()
	book := links.NewBook(nil, links.BookDeps{})
	defer book.Close()
	if _, err := book.Add(links.Spec{Name: "Acme QA"}); err != nil {
		t.Fatal(err)
	}
	logs := newLogLines()
	p := linksProducer(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ingest/line", book, slog.New(slog.NewTextHandler(logs, nil)))
	logs.waitFor(t, "takes no customer links", 1)
	for _, name := range []string{"Beta", "Gamma"} {
		if _, err := book.Add(links.Spec{Name: name}); err != nil {
			t.Fatal(err)
		}
		// The push takes the change and sends frames in one loop: after
		// some frames more, a links message would have been sent.
		n := frames.Load() + 10
		testnet.WaitFor(t, 10*time.Second, "ten frames more", func() bool { return frames.Load() >= n })
	}
	if n := linksSent.Load(); n != 1 {
		t.Fatalf("%d links messages to a relay that refused the first", n)
	}
	if n := strings.Count(logs.String(), "takes no customer links"); n != 1 || strings.Contains(logs.String(), "relay refused a message") {
		t.Fatalf("logged %d times, or as a refused message:\n%s", n, logs.String())
	}
	if st := p.Status(); st.State != "connected" {
		t.Fatalf("the push is %+v", st)
	}
}

func TestTheRelayIDHasNoTokens(t *testing.T) {
	got := relayID("wss://user:pw@relay.example:8443/ingest/line?token=" + publishToken + "&view=" + viewToken)
	if got != "wss://relay.example:8443/ingest/line" {
		t.Fatalf("relayID %q", got)
	}
}

// linkSink keeps the producer's audit records.
type linkSink struct {
	mu   sync.Mutex
	recs []links.Record // guarded by mu
}

func (a *linkSink) Write(r links.Record) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = append(a.recs, r)
}

func (a *linkSink) all() []links.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.recs)
}

func TestTheBooksLinksWorkOnTheRelayAndItsViewersComeBack(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	sink := &linkSink{}
	book := links.NewBook(nil, links.BookDeps{Audit: sink})
	defer book.Close()
	acme, err := book.Add(links.Spec{Name: "Acme QA"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := book.Add(links.Spec{Name: "Another camera's", Streams: []string{"other"}})
	if err != nil {
		t.Fatal(err)
	}
	ingest := "ws://" + rl.Addr().String() + "/ingest/line"
	linksProducer(t, ingest+"?x=1", book, nil)

	// The link opens the stream on the relay; the one for another stream
	// was not offered.
	v := dialLink(t, rl.Addr().String(), acme.Token)
	if resp, err := http.Get("http://" + rl.Addr().String() + "/s/line/api/state?token=" + other.Token); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a link of another stream on the relay: %v %v", resp.StatusCode, err)
	}
	for range 3 {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatalf("the link's viewer on the relay: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
	}
	testnet.WaitFor(t, 10*time.Second, "the relay's viewer in the Book", func() bool {
		st, _ := book.Get("Acme QA")
		return st.Viewers == 1
	})

	revoked := time.Now()
	if err := book.Revoke("Acme QA"); err != nil {
		t.Fatal(err)
	}
	bye := ""
	for bye == "" {
		m, err := v.Next(10 * time.Second)
		if err != nil {
			t.Fatalf("no bye from the relay: %v", err)
		}
		if m.Event == "bye" {
			var b protocol.Bye
			_ = json.Unmarshal(m.Raw, &b)
			bye = b.Reason
		}
	}
	if _, err := v.Next(10 * time.Second); err == nil {
		t.Fatal("the connection went on after the bye")
	}
	took := time.Since(revoked)
	t.Logf("the relay's viewer was cut %v after the Book's revocation", took)
	if !strings.Contains(bye, "revoked") || took > time.Second {
		t.Fatalf("bye %q after %v", bye, took)
	}
	testnet.WaitFor(t, 10*time.Second, "the relay's record in the Book's audit", func() bool { return len(sink.all()) > 0 })
	r := sink.all()[0]
	if r.Link != "Acme QA" || r.Via != ingest || r.Stream != "line" || r.Reason != "revoked" || r.Kind != "ws" || r.Bytes == 0 {
		t.Fatalf("record %+v", r)
	}
}

// dialLink watches stream "line" on the relay at addr with token, once
// the push has offered it.
func dialLink(t *testing.T, addr, token string) *client.Viewer {
	t.Helper()
	var v *client.Viewer
	testnet.WaitFor(t, 20*time.Second, "the link on the relay", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var err error
		v, err = client.Dial(ctx, "ws://"+addr+"/s/line/ws?token="+token, nil)
		return err == nil
	})
	t.Cleanup(func() { v.Close() })
	return v
}
