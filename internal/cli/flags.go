// Package cli holds what Framecast's commands share on the command line:
// flag parsing and exit codes, the limit and TLS flags, and the logger. It
// imports no gocv and no Wails, so the static relay uses it too.
package cli

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"framecast/backend/certs"
	"framecast/backend/httpx"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// UsageError is a command line the flag package refused and explained.
type UsageError struct{ error }

// ParseFlags parses args, marking a refused command line as a UsageError.
func ParseFlags(fset *flag.FlagSet, args []string) error {
	err := fset.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return UsageError{err}
	}
	return err
}

// Exit ends the program as err says: 0 for none or -h, 2 for a command line
// the flag package has already explained, 1 with the error for the rest.
func Exit(prog string, err error) {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, new(UsageError)):
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		os.Exit(1)
	}
}

// NewLogger returns a text logger on stderr at the level named.
func NewLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// ConfigDir is where Framecast keeps its settings and certificates:
// ~/.config/framecast on Linux.
func ConfigDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(base, "framecast"), nil
}

// LimitFlags adds the viewer and connection limits, shared by serve and
// relay.
func LimitFlags(fset *flag.FlagSet) *httpx.Limits {
	l := httpx.DefaultLimits()
	fset.IntVar(&l.MaxViewers, "max-viewers", l.MaxViewers, "WebSocket and MJPEG viewers per stream")
	fset.IntVar(&l.MaxPerIP, "max-per-ip", l.MaxPerIP, "streaming connections per client address")
	fset.IntVar(&l.MaxFailedTokens, "max-failed-tokens", l.MaxFailedTokens, "wrong tokens per address per minute before 429")
	fset.DurationVar(&l.PongWait, "pong-wait", 10*time.Second, "drop a viewer silent for this long")
	netFlags(fset, &l)
	return &l
}

// TLSFlags adds --tls, --tls-cert, --tls-key, --domain and the --acme-*
// flags. The returned function, called after parsing, gives the TLS config
// they ask for (nil: plain HTTP) and a function that stops what it started:
// the HTTP-01 port of --tls acme. It redirects to the port of the command's
// --addr flag.
func TLSFlags(fset *flag.FlagSet) func(log *slog.Logger) (*tls.Config, func(), error) {
	var t certs.TLS
	var a certs.ACMEConfig
	mode := fset.String("tls", "", `"auto": HTTPS with a self-signed certificate, made once and kept in the config directory; `+
		`"acme": HTTPS with a certificate for --domain from Let's Encrypt (or --acme-directory), renewed on its own`)
	fset.StringVar(&t.CertFile, "tls-cert", "", "HTTPS certificate file (PEM), with --tls-key")
	fset.StringVar(&t.KeyFile, "tls-key", "", "HTTPS key file (PEM), with --tls-cert")
	fset.Func("domain", "with --tls acme: this server's public `name`, e.g. relay.example.com; the only names certificates are asked for (repeat, or separate with commas, for more)", func(v string) error {
		for _, d := range strings.Split(v, ",") {
			if d = strings.TrimSpace(d); d != "" {
				a.Domains = append(a.Domains, d)
			}
		}
		return nil
	})
	fset.StringVar(&a.Email, "acme-email", "", "with --tls acme: address the CA may write to about expiring certificates (default: none)")
	fset.StringVar(&a.Directory, "acme-directory", "", "with --tls acme: the CA's ACME directory URL (default: Let's Encrypt, "+autocert.DefaultACMEDirectory+")")
	fset.StringVar(&a.HTTPAddr, "acme-http", ":80", `with --tls acme: where to answer the CA's HTTP-01 challenges (the CA asks on port 80) and redirect http:// to https://; `+
		`"off": none, the CA then uses TLS-ALPN-01 and must reach --addr on port 443`)
	return func(log *slog.Logger) (*tls.Config, func(), error) {
		acmeFlags := setFlags(fset, "domain", "acme-email", "acme-directory", "acme-http")
		switch *mode {
		case "":
		case "auto":
			dir, err := ConfigDir()
			if err != nil {
				return nil, nil, err
			}
			t.Auto, t.Dir = true, filepath.Join(dir, "tls")
		case "acme":
			if t.Enabled() {
				return nil, nil, errors.New("--tls acme and --tls-cert/--tls-key: choose one")
			}
			dir, err := ConfigDir()
			if err != nil {
				return nil, nil, err
			}
			a.CacheDir = filepath.Join(dir, "acme")
			if a.HTTPAddr == "off" {
				a.HTTPAddr = ""
			}
			if addr := fset.Lookup("addr"); addr != nil {
				_, a.HTTPSPort, _ = net.SplitHostPort(addr.Value.String())
			}
			m, err := certs.NewACME(a, log)
			if err != nil {
				return nil, nil, err
			}
			return m.TLSConfig(), m.Close, nil
		default:
			return nil, nil, fmt.Errorf(`--tls %q: use "auto" or "acme" (or give --tls-cert and --tls-key)`, *mode)
		}
		if len(acmeFlags) > 0 {
			return nil, nil, fmt.Errorf("--%s: only with --tls acme", acmeFlags[0])
		}
		if !t.Enabled() {
			return nil, func() {}, nil
		}
		tc, err := t.Config()
		if err != nil {
			return nil, nil, err
		}
		return tc, func() {}, nil
	}
}

// setFlags lists which of names the command line set.
func setFlags(fset *flag.FlagSet, names ...string) []string {
	var set []string
	fset.Visit(func(f *flag.Flag) {
		if slices.Contains(names, f.Name) {
			set = append(set, f.Name)
		}
	})
	return set
}

// Given reports whether the command line set the flag name.
func Given(fset *flag.FlagSet, name string) bool { return len(setFlags(fset, name)) > 0 }
