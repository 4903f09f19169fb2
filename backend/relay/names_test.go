package relay

import (
	"bytes"
	"encoding/json"
	"framecast/internal/testproc"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestStreamNamesNATSWouldRefuseAreRefusedBeforeTheUpgrade(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	names := []struct{ name, stream string }{
		{"a name ending in a dot", "a."},
		{"two dots in a row", "a..b"},
		{"a space", "a b"},
		{"a NATS wildcard *", "a*"},
		{"a NATS wildcard >", "a.>"},
		{"a name of 60,000 characters", strings.Repeat("n", 60000)},
	}
	for _, c := range names {
		t.Run(c.name+" gets a 400 that says the rule, and nothing is registered", func(t *testing.T) {
			u := wsBase(rl) + "/ingest/" + url.PathEscape(c.stream) + "?token=" + publishToken + "&view=" + viewToken
			conn, resp, err := websocket.DefaultDialer.Dial(u, nil)
			if err == nil {
				conn.Close()
				t.Fatal("the producer was upgraded")
			}
			if resp == nil {
				t.Fatalf("no reply: %v", err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "no '.' at the end or two in a row") {
				t.Fatalf("%d %.200q, want 400 with the name rule", resp.StatusCode, body)
			}
			if len(body) > 512 {
				t.Fatalf("a reply of %d bytes: the name was echoed", len(body))
			}
			if rl.table.Lookup(c.stream) != nil || len(rl.table.Streams()) != 0 {
				t.Fatal("a refused name was registered")
			}
		})
	}
}

func TestAProducersHugeNameIsEchoedBounded(t *testing.T) {
	var logs testproc.Buffer
	rl := startRelayWith(t, func(cfg *Config, d *Deps) {
		cfg.MaxFrame = 2 << 20
		d.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	prod := produce(t, rl, "cam", viewToken)
	huge := strings.Repeat("9", 1<<20) + "p"
	cases := []struct {
		name string
		msg  []byte
	}{
		{"a rendition named with a megabyte", mustJSON(t, map[string]any{"type": "renditions",
			"renditions": []map[string]any{{"name": huge, "w": 1280, "h": 720, "quality": 80}}})},
		{"a metadata key of a megabyte", []byte(strings.Repeat("k", 1<<20) + "=sq=v")},
	}
	for _, c := range cases {
		t.Run(c.name+" comes back cut, in the reply, the log and the state", func(t *testing.T) {
			if err := prod.WriteMessage(websocket.TextMessage, c.msg); err != nil {
				t.Fatal(err)
			}
			_ = prod.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				_, reply, err := prod.ReadMessage()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(reply, []byte(`"error"`)) {
					continue // the viewer count and wanted renditions
				}
				if len(reply) > 1024 {
					t.Fatalf("an error reply of %d bytes", len(reply))
				}
				break
			}
			st := rl.table.Lookup("cam").Stats()
			if st.LastRefusal == "" || len(st.LastRefusal) > 1024 {
				t.Fatalf("last refusal of %d bytes in the state", len(st.LastRefusal))
			}
		})
	}
	if n := len(logs.String()); n > 16<<10 {
		t.Fatalf("%d bytes of logs: a name was logged whole", n)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
