package push

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/links"
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
	p, err := New(Config{URL: ingest, PublishToken: publishToken, ViewToken: viewToken, Links: book, Stream: "line"}, h, log)
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
