package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/internal/testnet"

	"github.com/gorilla/websocket"
)

// secretSource is a camera URL with a password and a token in its query.
const secretSource = "rtsp://admin:pw-secret@cam.local:554/live?token=query-secret"

// statsStream is a Stream whose figures are fixed.
type statsStream struct{ st protocol.Stats }

func (s statsStream) Stats() protocol.Stats { return s.st }

// forViewer marks a request as a viewer's behind this machine's trusted
// reverse proxy, from a public address.
var forViewer = http.Header{"X-Forwarded-For": {"203.0.113.7"}}

func TestViewersGetTheSourceWithoutCredentialsAndNoAddresses(t *testing.T) {
	h := hub.New()
	h.SetStatus(protocol.Status{State: protocol.StateLive, Source: secretSource})
	stream := statsStream{protocol.Stats{Source: secretSource, State: protocol.StateNoSignal,
		Error: "open stream " + secretSource + ": could not connect"}}
	srv, err := New(Config{Addr: "127.0.0.1:0", Token: token}, Deps{Hub: h, Stream: stream,
		Assets: fstest.MapFS{"viewer.html": {Data: []byte("<title>v</title>")}},
		Limits: httpx.Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	base := "http://" + srv.Addr().String()
	ws := "ws://" + srv.Addr().String() + "/ws?token=" + token
	// A viewer is watching, so /api/state lists one.
	watcher, _, err := websocket.DefaultDialer.Dial(ws, forViewer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watcher.Close() })

	state := func(t *testing.T, header http.Header) (State, string) {
		t.Helper()
		resp := get(t, base+"/api/state?token="+token, header)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var st State
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
		}
		return st, string(body)
	}
	t.Run("a viewer's /api/state has the source without user, password or query, and no addresses", func(t *testing.T) {
		testnet.WaitUntil(t, "the viewer listed", func() bool { st, _ := state(t, forViewer); return len(st.Viewers) == 1 })
		st, body := state(t, forViewer)
		if st.Source != "rtsp://cam.local:554/live" {
			t.Fatalf("source %q", st.Source)
		}
		for _, secret := range []string{"pw-secret", "query-secret", "admin", "203.0.113.7", "127.0.0.1"} {
			if strings.Contains(body, secret) {
				t.Fatalf("%q in a viewer's state: %s", secret, body)
			}
		}
	})
	t.Run("the operator on this machine gets it all", func(t *testing.T) {
		st, _ := state(t, nil)
		if st.Source != secretSource || len(st.Viewers) != 1 || st.Viewers[0].Addr == "" {
			t.Fatalf("source %q, viewers %+v", st.Source, st.Viewers)
		}
	})
	t.Run("a viewer's status events carry the source without credentials", func(t *testing.T) {
		v, _, err := websocket.DefaultDialer.Dial(ws, forViewer)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		h.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: secretSource,
			Reason: "open stream " + secretSource + ": could not connect"})
		_ = v.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, msg, err := v.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(msg), `"type":"status"`) {
				continue // hello
			}
			if strings.Contains(string(msg), "secret") || strings.Contains(string(msg), "admin") {
				t.Fatalf("status event %s", msg)
			}
			if !strings.Contains(string(msg), "rtsp://cam.local:554/live") {
				t.Fatalf("status event %s names no source", msg)
			}
			return
		}
	})
}
