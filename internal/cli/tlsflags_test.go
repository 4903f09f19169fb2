package cli

import (
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
)

// parseTLS parses args with the TLS flags and an --addr, as serve and relay
// have, keeping the config directory in a temporary one.
func parseTLS(t *testing.T, args ...string) (func(), error) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fset := flag.NewFlagSet("test", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.String("addr", ":8443", "listen address")
	load := TLSFlags(fset)
	if err := ParseFlags(fset, args); err != nil {
		t.Fatal(err)
	}
	tc, stop, err := load(nil)
	if err != nil {
		return nil, err
	}
	if tc == nil {
		t.Fatal("no TLS config")
	}
	if !slices.Contains(tc.NextProtos, acme.ALPNProto) && slices.Contains(args, "acme") {
		t.Fatalf("--tls acme does not answer TLS-ALPN-01: NextProtos %v", tc.NextProtos)
	}
	return stop, nil
}

func TestTLSFlagsThatCannotWorkAreRefused(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"--domain without --tls acme is refused", []string{"--domain", "relay.example.com"}, "--domain: only with --tls acme"},
		{"--acme-http without --tls acme is refused", []string{"--tls", "auto", "--acme-http", ":8080"}, "--acme-http: only with --tls acme"},
		{"--tls acme without --domain is refused", []string{"--tls", "acme"}, "needs --domain"},
		{"--tls acme beside certificate files is refused", []string{"--tls", "acme", "--domain", "relay.example.com", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "choose one"},
		{"--tls acme for an address is refused", []string{"--tls", "acme", "--domain", "203.0.113.7"}, "IP address"},
		{"an ACME directory over plain HTTP is refused", []string{"--tls", "acme", "--domain", "relay.example.com", "--acme-directory", "http://ca.example/dir"}, "https://"},
		{"an unknown --tls mode is refused", []string{"--tls", "letsencrypt"}, `use "auto" or "acme"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := parseTLS(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestTLSAcmeKeepsCertificatesInThePrivateConfigDirectory(t *testing.T) {
	stop, err := parseTLS(t, "--tls", "acme", "--domain", "relay.example.com", "--acme-http", "off",
		"--acme-directory", "https://127.0.0.1:9/dir")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "framecast", "acme")
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Fatalf("%s: mode %v, want 0700", dir, info.Mode().Perm())
	}
}

func TestTheACMEHTTPPortRedirectsToAddrsPortAndStopsWithStop(t *testing.T) {
	// A port the kernel gave and took back: --acme-http needs a number
	// to be dialled here.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := ln.Addr().String()
	ln.Close()
	stop, err := parseTLS(t, "--tls", "acme", "--domain", "relay.example.com", "--acme-http", httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + httpAddr + "/s/cam/")
	if err != nil {
		stop()
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Location"), "https://relay.example.com:8443/s/cam/"; got != want {
		t.Errorf("redirect to %q, want %q (the port of --addr)", got, want)
	}
	stop()
	if conn, err := net.DialTimeout("tcp", httpAddr, time.Second); err == nil {
		conn.Close()
		t.Fatal("the HTTP-01 port still answers after stop")
	}
}

func TestTLSAutoNeedsNothingStopped(t *testing.T) {
	stop, err := parseTLS(t, "--tls", "auto")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "framecast", "tls", "key.pem")); err != nil {
		t.Fatalf("--tls auto made no key: %v", err)
	}
}
