package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// Behind a reverse proxy every request comes from the proxy's address, so
// per-address limits would lump all its clients together. With
// --trusted-proxy the client is read from the header the proxy adds: the
// rightmost address in it that is not a trusted proxy, since everything to
// the left of that was written by the client itself and proves nothing.
// A request from any other peer keeps its peer address: anyone can write
// those headers.

// maxForwardHops bounds how many entries of a forwarding header are read,
// from the right: a chain of proxies longer than this is not a real one.
const maxForwardHops = 16

// TrustProxies sets r.RemoteAddr to the client a trusted proxy names
// (Limits.TrustedProxies), so limits, the guard and logs all see the
// client rather than the proxy. It passes requests from other peers, and
// every request when trusted is empty, unchanged. It goes outermost, in
// front of everything that reads r.RemoteAddr.
func TrustProxies(next http.Handler, trusted []netip.Prefix) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := forwardedClient(r, trusted); ok {
			r = r.WithContext(r.Context()) // a shallow copy: never change the caller's request
			r.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient is the client a trusted peer's forwarding header names.
// X-Forwarded-For is read when present, Forwarded (RFC 7239) only without
// it: a proxy that sets one passes the other through from the client
// unchecked, and X-Forwarded-For is what nearly every proxy sets.
func forwardedClient(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok || !isTrusted(peer, trusted) {
		return netip.Addr{}, false
	}
	var hops []string
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops = splitHops(xff, ",")
	} else {
		hops = forwardedFor(r.Header.Values("Forwarded"))
	}
	if len(hops) == 0 {
		return netip.Addr{}, false
	}
	client := peer
	for i := len(hops) - 1; i >= 0 && i >= len(hops)-maxForwardHops; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			break // garbage from a trusted chain: the last hop known is the client
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	if client == peer {
		return netip.Addr{}, false
	}
	return client, true
}

// splitHops lists the comma-separated entries of a header's values, in
// order: proxies that add a header line rather than extend one are read
// the same.
func splitHops(values []string, sep string) []string {
	var hops []string
	for _, v := range values {
		for h := range strings.SplitSeq(v, sep) {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	return hops
}

// forwardedFor lists the for= parameters of Forwarded headers, in order;
// an element without one counts as an unknown hop ("").
func forwardedFor(values []string) []string {
	var hops []string
	for _, elem := range splitHops(values, ",") {
		hop := ""
		for pair := range strings.SplitSeq(elem, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
			if strings.EqualFold(k, "for") {
				hop = strings.Trim(v, `"`)
			}
		}
		hops = append(hops, hop)
	}
	return hops
}

// parseHost reads an address with or without a port, IPv6 with or without
// brackets ("192.0.2.1", "192.0.2.1:80", "[2001:db8::1]:80", "2001:db8::1").
// "unknown", obfuscated names ("_hidden") and the empty string are not
// addresses.
func parseHost(s string) (netip.Addr, bool) {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
}

// addrKey is what per-address limits count by: an IPv4 address, or the /64
// an IPv6 address is in, since one subscriber commonly has a whole /64 and
// could otherwise take a new address for every connection.
func addrKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}
