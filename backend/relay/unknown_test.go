package relay

import (
	"framecast/backend/httpx"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"
)

// pageAssets are a viewer page and one script under assets/.
var pageAssets = fstest.MapFS{
	"viewer.html":      {Data: []byte("<title>viewer</title>")},
	"assets/viewer.js": {Data: []byte("console.log(1)")},
}

// answer is a response with the stream's name taken out of it, and the
// headers that say when rather than what left out.
type answer struct {
	status int
	header http.Header
	body   string
}

// ask sends method path (with "NAME" in it replaced by name) from the
// loopback address ip, follows no redirects, and returns the answer with
// name replaced by "NAME" again.
func ask(t *testing.T, rl *Relay, ip, method, path, name string) answer {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+rl.Addr().String()+strings.ReplaceAll(path, "NAME", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	h := resp.Header.Clone()
	h.Del("Date")
	for k, vs := range h {
		for i := range vs {
			vs[i] = strings.ReplaceAll(vs[i], name, "NAME")
		}
		h[k] = vs
	}
	return answer{resp.StatusCode, h, strings.ReplaceAll(string(body), name, "NAME")}
}

func (a answer) equal(b answer) bool {
	return a.status == b.status && a.body == b.body && maps.EqualFunc(a.header, b.header, func(x, y []string) bool {
		return strings.Join(x, "\n") == strings.Join(y, "\n")
	})
}

func TestAnUnknownStreamAnswersExactlyAsAWrongTokenDoes(t *testing.T) {
	rl := startRelayWith(t, func(cfg *Config, d *Deps) {
		d.Assets = pageAssets
		cfg.Limits.MaxFailedTokens = 1000 // every request below guesses
	})
	produce(t, rl, "cam", viewToken)
	requests := []struct{ method, path string }{
		{"GET", "/s/NAME"},
		{"GET", "/s/NAME/"},
		{"GET", "/s/NAME/?token=wrong-token-0123456789"},
		{"HEAD", "/s/NAME/?token=wrong"},
		{"GET", "/s/NAME/ws?token=wrong"},
		{"POST", "/s/NAME/ws?token=wrong"},
		{"GET", "/s/NAME/stream.mjpg?token=wrong"},
		{"GET", "/s/NAME/snapshot.jpg"},
		{"GET", "/s/NAME/api/state?token=wrong"},
		{"OPTIONS", "/s/NAME/api/state"},
		{"GET", "/s/NAME/metrics?token=wrong"},
		{"GET", "/s/NAME/no-such-page"},
		{"GET", "/s/NAME/healthz"},
		{"POST", "/s/NAME/healthz"},
		{"GET", "/s/NAME/assets/viewer.js"},
		{"GET", "/s/NAME/assets/missing.js"},
		{"GET", "/s/NAME/assets/%2e%2e/viewer.html"},
	}
	for _, r := range requests {
		t.Run(r.method+" "+r.path+" is the same for an unknown stream as for one that exists", func(t *testing.T) {
			known := ask(t, rl, "127.0.0.2", r.method, r.path, "cam")
			unknown := ask(t, rl, "127.0.0.2", r.method, r.path, "dog") // as long: Content-Length may count it
			if !known.equal(unknown) {
				t.Fatalf("a stream that exists:\n%d %v\n%.200q\nan unknown one:\n%d %v\n%.200q",
					known.status, known.header, known.body, unknown.status, unknown.header, unknown.body)
			}
			if known.status == http.StatusOK && !strings.Contains(r.path, "assets/viewer.js") && !strings.HasSuffix(r.path, "healthz") {
				t.Fatalf("%d without the token", known.status)
			}
		})
	}
	t.Run("a WebSocket is refused the same for an unknown stream as for one that exists", func(t *testing.T) {
		refusal := func(name string) (int, string) {
			_, resp, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/s/"+name+"/ws?token=wrong", nil)
			if err == nil || resp == nil {
				t.Fatalf("%s: %v, want a refusal", name, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		kc, kb := refusal("cam")
		uc, ub := refusal("dog")
		if kc != uc || kb != ub {
			t.Fatalf("a stream that exists: %d %q; an unknown one: %d %q", kc, kb, uc, ub)
		}
	})
	t.Run("the right token still opens the stream that exists", func(t *testing.T) {
		if a := ask(t, rl, "127.0.0.3", "GET", "/s/NAME/?token="+viewToken, "cam"); a.status != http.StatusOK {
			t.Fatalf("status %d", a.status)
		}
	})
}

func TestGuessingStreamNamesCountsAsWrongTokens(t *testing.T) {
	rl := startRelayWith(t, func(cfg *Config, d *Deps) {
		d.Assets = pageAssets
		cfg.Limits = httpx.Limits{MaxFailedTokens: 3}
	})
	produce(t, rl, "cam", viewToken)
	cases := []struct {
		name, method, path, stream string
		want                       int
	}{
		{"a first unknown name is refused as a wrong token", "GET", "/s/NAME/", "guess1", http.StatusUnauthorized},
		{"so is a second", "GET", "/s/NAME/api/state", "guess2", http.StatusUnauthorized},
		{"and a third", "GET", "/s/NAME/ws", "guess3", http.StatusUnauthorized},
		{"then the address is locked out on unknown names", "GET", "/s/NAME/", "guess4", http.StatusTooManyRequests},
		{"and for wrong tokens on a stream that exists", "GET", "/s/NAME/?token=wrong", "cam", http.StatusTooManyRequests},
		{"but the right token still opens that stream", "GET", "/s/NAME/?token=" + viewToken, "cam", http.StatusOK},
		{"and healthz still says the relay is up", "GET", "/s/NAME/healthz", "guess5", http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if a := ask(t, rl, "127.0.0.2", c.method, c.path, c.stream); a.status != c.want {
				t.Fatalf("status %d, want %d: %.100q", a.status, c.want, a.body)
			}
		})
	}
	t.Run("locked out, an unknown stream and one that exists still answer the same", func(t *testing.T) {
		known := ask(t, rl, "127.0.0.2", "GET", "/s/NAME/?token=wrong", "cam")
		unknown := ask(t, rl, "127.0.0.2", "GET", "/s/NAME/?token=wrong", "dog")
		if !known.equal(unknown) || known.status != http.StatusTooManyRequests {
			t.Fatalf("a stream that exists: %d %v %q; an unknown one: %d %v %q",
				known.status, known.header, known.body, unknown.status, unknown.header, unknown.body)
		}
	})
}
