package relay

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/metrics"

	"github.com/gorilla/websocket"
)

func TestOnlyFilesUnderAStreamsAssetsAreServedWithoutAToken(t *testing.T) {
	rl := startRelayWith(t, func(_ *Config, d *Deps) { d.Assets = pageAssets })
	produce(t, rl, "cam", viewToken)
	paths := []string{
		"/assets/../viewer.html",
		"/assets/%2e%2e/viewer.html",
		"/assets/%2E%2E/viewer.html",
		"/assets/.%2e/viewer.html",
		"/assets/..%2fviewer.html",
		"/assets/%2e%2e%2fviewer.html",
		"/assets//../viewer.html",
		"/assets//%2e%2e/viewer.html",
		"/assets/%2f..%2fviewer.html",
		"/assets/x/%2e%2e/%2e%2e/viewer.html",
		`/assets/..\viewer.html`,
		"/assets/..%5cviewer.html",
	}
	for _, stream := range []string{"cam", "nope"} {
		for _, p := range paths {
			t.Run("/s/"+stream+p+" does not serve the viewer page", func(t *testing.T) {
				resp, err := http.Get("http://" + rl.Addr().String() + "/s/" + stream + p)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "<title>viewer</title>") {
					t.Fatalf("status %d, body %.80q", resp.StatusCode, body)
				}
			})
		}
		t.Run("/s/"+stream+"/assets/viewer.js is served without a token", func(t *testing.T) {
			resp, err := http.Get("http://" + rl.Addr().String() + "/s/" + stream + "/assets/viewer.js")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(body) != "console.log(1)" {
				t.Fatalf("status %d, body %q", resp.StatusCode, body)
			}
		})
	}
}

func TestOneAddressHoldingIdleConnectionsDoesNotShutOutAnotherOnTheRelay(t *testing.T) {
	const idle, perIP = 200, 8
	rl := startRelayWith(t, func(cfg *Config, _ *Deps) {
		cfg.Limits = httpx.Limits{MaxConns: 32, MaxConnsPerIP: perIP, MaxPerIP: 4}
	})
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 2 * time.Second}
	conns := make([]net.Conn, 0, idle)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range idle {
		c, err := d.Dial("tcp", rl.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}).DialContext}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 2 * time.Second}).Get("http://" + rl.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("another address, with %d idle connections from 127.0.0.2 open: %v", idle, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("another address: /healthz %d", resp.StatusCode)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	closed := 0
	for _, c := range conns {
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				mu.Lock()
				closed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if closed != idle-perIP {
		t.Fatalf("%d of %d idle connections closed by the relay, want all but the %d allowed", closed, idle, perIP)
	}
}

func TestTheRelayCountsWrongTokensByTheClientATrustedProxyNames(t *testing.T) {
	rl := startRelayWith(t, func(cfg *Config, _ *Deps) {
		cfg.Limits = httpx.Limits{MaxFailedTokens: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}}
	})
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	cases := []struct {
		name, client string
		want         int
	}{
		{"a client behind the proxy guesses once", "203.0.113.7", http.StatusUnauthorized},
		{"then it is locked out", "203.0.113.7", http.StatusTooManyRequests},
		{"while another client behind the same proxy is not", "203.0.113.8", http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "http://"+rl.Addr().String()+"/ingest/cam?token=wrong", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Forwarded-For", c.client)
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
}

func TestTheRightTokensAreServedFromAnAddressLockedOutForWrongOnes(t *testing.T) {
	rl := startRelayWith(t, func(cfg *Config, d *Deps) {
		cfg.Limits = httpx.Limits{MaxFailedTokens: 2}
		cfg.LegacyIngest, cfg.LegacyStream, cfg.LegacyToken = true, "legacy", viewToken
		d.Metrics = metrics.New()
	})
	base := "http://" + rl.Addr().String()
	for range 3 { // the third is a 429 already
		resp, err := http.Get(base + "/metrics?token=wrong")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	wsDial := func(url string) (int, error) {
		conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			if resp == nil {
				return 0, err
			}
			return resp.StatusCode, nil
		}
		conn.Close()
		return http.StatusSwitchingProtocols, nil
	}
	get := func(url string) (int, error) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	ws := wsBase(rl)
	cases := []struct {
		name string
		try  func() (int, error)
		want int
	}{
		{"a wrong publish token on /metrics gets 429", func() (int, error) { return get(base + "/metrics?token=wrong") }, http.StatusTooManyRequests},
		{"the publish token on /metrics is served", func() (int, error) { return get(base + "/metrics?token=" + publishToken) }, http.StatusOK},
		{"a wrong publish token on /ingest gets 429", func() (int, error) {
			return wsDial(ws + "/ingest/cam?token=wrong&view=" + viewToken)
		}, http.StatusTooManyRequests},
		{"a producer with the publish token connects", func() (int, error) {
			return wsDial(ws + "/ingest/cam?token=" + publishToken + "&view=" + viewToken)
		}, http.StatusSwitchingProtocols},
		{"a wrong legacy token on the root gets 429", func() (int, error) { return wsDial(ws + "/?token=wrong") }, http.StatusTooManyRequests},
		{"the legacy token on the root connects", func() (int, error) { return wsDial(ws + "/?token=" + viewToken) }, http.StatusSwitchingProtocols},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.try()
			if err != nil || got != c.want {
				t.Fatalf("status %d (%v), want %d", got, err, c.want)
			}
		})
	}
}
