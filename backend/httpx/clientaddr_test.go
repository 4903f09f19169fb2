package httpx

import (
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
