package cli

import (
	"flag"
	"framecast/backend/httpx"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestConnectionFlagsAreReadIntoTheLimits(t *testing.T) {
	prefixes := func(ss ...string) []netip.Prefix {
		var ps []netip.Prefix
		for _, s := range ss {
			ps = append(ps, netip.MustParsePrefix(s))
		}
		return ps
	}
	cases := []struct {
		name    string
		args    []string
		want    httpx.Limits // only the connection fields are compared
		refused string       // part of the error, when the line is refused
	}{
		{"without flags the caps are left to their defaults and no proxy is trusted", nil,
			httpx.Limits{}, ""},
		{"the caps are read", []string{"--max-conns", "100", "--max-conns-per-ip", "10"},
			httpx.Limits{MaxConns: 100, MaxConnsPerIP: 10}, ""},
		{"trusted proxies may be repeated or listed with commas", []string{"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "192.0.2.7, 2001:db8::/32"},
			httpx.Limits{TrustedProxies: prefixes("10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32")}, ""},
		{"a CIDR with host bits set is taken as its network", []string{"--trusted-proxy", "10.1.2.3/8"},
			httpx.Limits{TrustedProxies: prefixes("10.0.0.0/8")}, ""},
		{"a trusted proxy that is not an address is refused", []string{"--trusted-proxy", "proxy.example"}, httpx.Limits{}, "not an address or a CIDR"},
		{"a cap that is not a number is refused", []string{"--max-conns", "many"}, httpx.Limits{}, "invalid value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset := flag.NewFlagSet("test", flag.ContinueOnError)
			fset.SetOutput(io.Discard)
			l := LimitFlags(fset)
			err := ParseFlags(fset, c.args)
			if c.refused != "" {
				if err == nil || !strings.Contains(err.Error(), c.refused) {
					t.Fatalf("err = %v, want it to say %q", err, c.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.MaxConns != c.want.MaxConns || l.MaxConnsPerIP != c.want.MaxConnsPerIP || !slices.Equal(l.TrustedProxies, c.want.TrustedProxies) {
				t.Fatalf("limits %d / %d per address, trusted %v; want %d / %d, %v",
					l.MaxConns, l.MaxConnsPerIP, l.TrustedProxies, c.want.MaxConns, c.want.MaxConnsPerIP, c.want.TrustedProxies)
			}
		})
	}
}
