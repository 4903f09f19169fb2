package certs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/idna"
)

// errNotOurDomain is a name that is not one of ACMEConfig.Domains: no
// certificate is asked for it and no challenge is answered for it.
var errNotOurDomain = errors.New("acme: not a --domain of this server")

// hostPolicy is autocert's HostPolicy: only Domains. It takes a Host header
// too; its port is dropped, since a CA that is not on port 80 (a test CA)
// sends one and the port says nothing about whose name it is.
func (a *ACME) hostPolicy(_ context.Context, host string) error {
	if !a.hosts[canonicalHost(host)] {
		return fmt.Errorf("%w: %q", errNotOurDomain, host)
	}
	return nil
}

// canonicalHost is host (or host:port) as autocert compares names: ASCII,
// lower case, no trailing dot; "" for what is no domain name.
func canonicalHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(host, "."))
	if err != nil {
		return ""
	}
	return ascii
}

// acmeDomain checks a --domain value and returns it as canonicalHost would.
func acmeDomain(d string) (string, error) {
	name := strings.TrimSuffix(strings.TrimSpace(d), ".")
	switch {
	case strings.Contains(name, "*"):
		return "", fmt.Errorf("--domain %q: wildcard certificates need the DNS-01 challenge, which --tls acme does not do; name each host", d)
	case net.ParseIP(name) != nil:
		return "", fmt.Errorf("--domain %q: an IP address; --tls acme needs a DNS name that points here", d)
	case strings.Contains(name, ":"):
		return "", fmt.Errorf("--domain %q: a name without a port (the port is --addr's)", d)
	}
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("--domain %q: not a valid domain name: %w", d, err)
	}
	if !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("--domain %q: give the full public name, like relay.example.com", d)
	}
	if len(ascii) > 253 {
		return "", fmt.Errorf("--domain %q: longer than a DNS name can be", d)
	}
	for _, label := range strings.Split(ascii, ".") {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("--domain %q: every part between dots must be 1-63 characters", d)
		}
	}
	return ascii, nil
}
