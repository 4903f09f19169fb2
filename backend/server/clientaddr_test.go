package server

import (
	"io"
	"net/http"
	"net/netip"
	"testing"
)

func TestTheClientIsReadFromForwardingHeadersOnlyBehindATrustedProxy(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:1::/48")}
	cases := []struct {
		name   string
		peer   string
		header http.Header
		want   string // "" : the peer stays the client
	}{
		{"an untrusted peer's X-Forwarded-For is ignored", "198.51.100.1:4000",
			http.Header{"X-Forwarded-For": {"203.0.113.9"}}, ""},
		{"an untrusted peer's Forwarded is ignored", "198.51.100.1:4000",
			http.Header{"Forwarded": {"for=203.0.113.9"}}, ""},
		{"a trusted proxy's X-Forwarded-For names the client", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"what a client wrote left of the address its proxy saw is ignored", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9"}}, "203.0.113.9"},
		{"trusted hops on the right are skipped", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9, 10.1.1.1, 10.2.2.2"}}, "203.0.113.9"},
		{"a proxy that adds a header line is read as one that extends it", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"1.2.3.4", "203.0.113.9"}}, "203.0.113.9"},
		{"an address with a port counts as the address", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"203.0.113.9:5555"}}, "203.0.113.9"},
		{"Forwarded for= names the client when there is no X-Forwarded-For", "10.0.0.5:4000",
			http.Header{"Forwarded": {`for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https`}}, "2001:db8:cafe::17"},
		{"X-Forwarded-For wins over Forwarded", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"203.0.113.9"}, "Forwarded": {"for=1.2.3.4"}}, "203.0.113.9"},
		{"garbage from a trusted hop leaves the last known hop the client", "10.0.0.5:4000",
			http.Header{"X-Forwarded-For": {"1.2.3.4, not-an-address, 10.1.1.1"}}, "10.1.1.1"},
		{"Forwarded for=unknown is not an address", "10.0.0.5:4000",
			http.Header{"Forwarded": {"for=unknown"}}, ""},
		{"a trusted IPv6 proxy is trusted", "[2001:db8:1::5]:4000",
			http.Header{"X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"a trusted proxy without the headers is the client itself", "10.0.0.5:4000",
			http.Header{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.peer, Header: c.header}
			got, ok := forwardedClient(r, trusted)
			if c.want == "" {
				if ok {
					t.Fatalf("client %s, want the peer", got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(c.want) {
				t.Fatalf("client %v (%v), want %s", got, ok, c.want)
			}
		})
	}
}

func TestWrongTokensCountAgainstTheClientATrustedProxyNames(t *testing.T) {
	// 127.0.0.2 is the proxy; 127.0.0.3 is a client that writes the header
	// itself.
	s := startStreamWith(t, smallSettings(), Limits{MaxFailedTokens: 2,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	guess := func(t *testing.T, peer, forwardedFor string) int {
		t.Helper()
		req, err := http.NewRequest("GET", s.base+"/api/state?token=guess", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := clientFrom(t, peer).Do(req)
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
