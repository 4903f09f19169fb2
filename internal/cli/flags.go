// Package cli holds what Framecast's commands share on the command line:
// flag parsing and exit codes, the limit and TLS flags, and the logger. It
// imports no gocv and no Wails, so the static relay uses it too.
package cli

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"framecast/backend/server"
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

// LimitFlags adds the viewer limits, shared by serve and relay.
func LimitFlags(fset *flag.FlagSet) *server.Limits {
	l := server.DefaultLimits
	fset.IntVar(&l.MaxViewers, "max-viewers", l.MaxViewers, "WebSocket and MJPEG viewers per stream")
	fset.IntVar(&l.MaxPerIP, "max-per-ip", l.MaxPerIP, "streaming connections per client address")
	fset.IntVar(&l.MaxFailedTokens, "max-failed-tokens", l.MaxFailedTokens, "wrong tokens per address per minute before 429")
	fset.DurationVar(&l.PongWait, "pong-wait", 10*time.Second, "drop a viewer silent for this long")
	return &l
}

// TLSFlags adds --tls, --tls-cert and --tls-key; the returned function gives
// the TLS config they ask for, or nil for plain HTTP.
func TLSFlags(fset *flag.FlagSet) func() (*tls.Config, error) {
	var t server.TLS
	mode := fset.String("tls", "", `"auto": HTTPS with a self-signed certificate, made once and kept in the config directory`)
	fset.StringVar(&t.CertFile, "tls-cert", "", "HTTPS certificate file (PEM), with --tls-key")
	fset.StringVar(&t.KeyFile, "tls-key", "", "HTTPS key file (PEM), with --tls-cert")
	return func() (*tls.Config, error) {
		switch *mode {
		case "":
		case "auto":
			dir, err := ConfigDir()
			if err != nil {
				return nil, err
			}
			t.Auto, t.Dir = true, filepath.Join(dir, "tls")
		default:
			return nil, fmt.Errorf(`--tls %q: the only value is "auto" (or give --tls-cert and --tls-key)`, *mode)
		}
		if !t.Enabled() {
			return nil, nil
		}
		return t.Config()
	}
}
