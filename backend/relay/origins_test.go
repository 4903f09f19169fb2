package relay

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gorilla/websocket"
)

func TestOriginsOnTheRelay(t *testing.T) {
	rl := startRelayWith(t, func(cfg *Config, _ *Deps) { cfg.AllowOrigins = []string{"https://dashboard.example"} })
	produce(t, rl, "cam", viewToken)
	cases := []struct {
		name, origin, query string
		ok                  bool
	}{
		{"an old page on its own site gets data URLs", "http://old-site.example", "&format=dataurl", true},
		{"a page on another site may not open the binary stream", "http://old-site.example", "", false},
		{"an origin given with --allow-origin may", "https://dashboard.example", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, resp, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/s/cam/ws?token="+viewToken+c.query, http.Header{"Origin": {c.origin}})
			if conn != nil {
				conn.Close()
			}
			if c.ok != (err == nil) {
				t.Fatalf("err %v (status %v), want ok=%v", err, resp, c.ok)
			}
		})
	}
	resp, err := http.DefaultClient.Do(&http.Request{Method: "GET", URL: mustURL(t, "http://"+rl.Addr().String()+"/healthz"),
		Header: http.Header{"Origin": {"https://dashboard.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://dashboard.example" {
		t.Fatalf("Access-Control-Allow-Origin %q for an allowed origin", got)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
