package server

import (
	"framecast/backend/httpx"
	"framecast/internal/testnet"
	"io"
	"net/http"
	"net/netip"
	"testing"
)

func TestWrongTokensCountAgainstTheClientATrustedProxyNames(t *testing.T) {
	// 127.0.0.2 is the proxy; 127.0.0.3 is a client that writes the header
	// itself.
	s := startStreamWith(t, smallSettings(), httpx.Limits{MaxFailedTokens: 2,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	guess := func(t *testing.T, peer, forwardedFor string) int {
		t.Helper()
		req, err := http.NewRequest("GET", s.base+"/api/state?token=guess", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := testnet.ClientFrom(t, peer).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	cases := []struct {
		name         string
		peer, header string
		want         int
	}{
		{"a client behind the proxy may guess", "127.0.0.2", "203.0.113.7", http.StatusUnauthorized},
		{"and guess again", "127.0.0.2", "203.0.113.7", http.StatusUnauthorized},
		{"then it is locked out", "127.0.0.2", "203.0.113.7", http.StatusTooManyRequests},
		{"while another client behind the same proxy is not", "127.0.0.2", "203.0.113.8", http.StatusUnauthorized},
		{"a peer that is not a proxy is counted by its own address", "127.0.0.3", "203.0.113.20", http.StatusUnauthorized},
		{"whatever it writes in the header", "127.0.0.3", "203.0.113.21", http.StatusUnauthorized},
		{"so writing a new address each time does not help it", "127.0.0.3", "203.0.113.22", http.StatusTooManyRequests},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := guess(t, c.peer, c.header); got != c.want {
				t.Fatalf("status %d, want %d", got, c.want)
			}
		})
	}
}
