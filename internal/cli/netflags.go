package cli

import (
	"flag"
	"fmt"
	"framecast/backend/httpx"
	"net/netip"
	"strings"
)

// netFlags adds the connection flags to fset, shared by serve and relay:
// --max-conns, --max-conns-per-ip and --trusted-proxy, written into l.
func netFlags(fset *flag.FlagSet, l *httpx.Limits) {
	fset.IntVar(&l.MaxConns, "max-conns", 0,
		fmt.Sprintf("open connections in all, of every kind: what bounds the file descriptors the server uses (default %d, or twice --max-conns-per-ip if that is more; lowered, with a warning, to what the process may open)",
			httpx.DefaultLimits().MaxConns))
	fset.IntVar(&l.MaxConnsPerIP, "max-conns-per-ip", 0,
		fmt.Sprintf("open connections from one client address, of every kind, fewer than --max-conns (default %d, or twice --max-per-ip if that is more)",
			httpx.DefaultLimits().MaxConnsPerIP))
	fset.Func("trusted-proxy", "a reverse proxy's address or CIDR, e.g. 10.0.0.5 or 10.0.0.0/8: requests from it are counted by the client its X-Forwarded-For (or Forwarded) names; repeat, or separate with commas, for more (default: none, those headers are ignored)",
		func(v string) error {
			for s := range strings.SplitSeq(v, ",") {
				p, err := parsePrefix(strings.TrimSpace(s))
				if err != nil {
					return err
				}
				l.TrustedProxies = append(l.TrustedProxies, p)
			}
			return nil
		})
}

// parsePrefix reads a CIDR, or one address as a prefix of its own.
func parsePrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or a CIDR such as 10.0.0.0/8", s)
	}
	return p.Masked(), nil
}
