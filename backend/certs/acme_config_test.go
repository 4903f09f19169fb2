package certs_test

import (
	"framecast/backend/certs"
	"net/http"
	"strings"
	"testing"
)

func TestTheACMEHTTPPortSendsBrowsersToHTTPS(t *testing.T) {
	cases := []struct {
		name, method, host, httpsPort string
		status                        int
		location                      string
	}{
		{"a page on the domain moves to the same path on the HTTPS port", http.MethodGet, acmeDomain, "8443",
			http.StatusFound, "https://relay.framecast.test:8443/s/cam/?token=t"},
		{"port 443 is left out of the new URL", http.MethodGet, acmeDomain + ":80", "443",
			http.StatusFound, "https://relay.framecast.test/s/cam/?token=t"},
		{"a host the client made up is sent to the domain, not to that host", http.MethodGet, "evil.example", "443",
			http.StatusFound, "https://relay.framecast.test/s/cam/?token=t"},
		{"a form posted over plain HTTP is refused, not redirected", http.MethodPost, acmeDomain, "443",
			http.StatusBadRequest, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := certs.NewACME(certs.ACMEConfig{Domains: []string{acmeDomain}, Directory: "https://ca.invalid/dir",
				CacheDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", HTTPSPort: c.httpsPort}, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			req, err := http.NewRequest(c.method, "http://"+a.HTTPAddr().String()+"/s/cam/?token=t", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = c.host
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status || resp.Header.Get("Location") != c.location {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, resp.Header.Get("Location"), c.status, c.location)
			}
		})
	}
}

func TestACMEConfigThatCannotWorkIsRefused(t *testing.T) {
	cases := []struct {
		name    string
		domains []string
		dir     string
		want    string
	}{
		{"no domain is refused", nil, "", "needs --domain"},
		{"a wildcard is refused", []string{"*.example.com"}, "", "wildcard"},
		{"an IP address is refused", []string{"203.0.113.7"}, "", "IP address"},
		{"a name with a port is refused", []string{"relay.example.com:443"}, "", "without a port"},
		{"a name of one label is refused", []string{"relay"}, "", "full public name"},
		{"a name with an empty label is refused", []string{"relay..example.com"}, "", "relay..example.com"},
		{"a name with a space is refused", []string{"relay example.com"}, "", "not a valid domain name"},
		{"a plain-HTTP directory is refused", []string{"relay.example.com"}, "http://ca.example/dir", "https://"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := certs.ACMEConfig{Domains: c.domains, Directory: c.dir, CacheDir: t.TempDir()}
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	t.Run("a name in capitals and Unicode is asked for as the CA spells it", func(t *testing.T) {
		cfg := certs.ACMEConfig{Domains: []string{"Relay.Bücher.Example."}, CacheDir: t.TempDir()}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Domains[0], "relay.xn--bcher-kva.example"; got != want {
			t.Fatalf("domain %q, want %q", got, want)
		}
	})
}
