package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"framecast/backend/config"
	"framecast/backend/server"
)

// limitFlags adds the viewer limits, shared by serve and relay.
func limitFlags(fset *flag.FlagSet) *server.Limits {
	l := server.DefaultLimits
	fset.IntVar(&l.MaxViewers, "max-viewers", l.MaxViewers, "WebSocket and MJPEG viewers per stream")
	fset.IntVar(&l.MaxPerIP, "max-per-ip", l.MaxPerIP, "streaming connections per client address")
	fset.IntVar(&l.MaxFailedTokens, "max-failed-tokens", l.MaxFailedTokens, "wrong tokens per address per minute before 429")
	fset.DurationVar(&l.PongWait, "pong-wait", 10*time.Second, "drop a viewer silent for this long")
	return &l
}

// tlsFlags adds --tls, --tls-cert and --tls-key; the returned function gives
// the TLS config they ask for, or nil for plain HTTP.
func tlsFlags(fset *flag.FlagSet) func() (*tls.Config, error) {
	var t server.TLS
	mode := fset.String("tls", "", `"auto": HTTPS with a self-signed certificate, made once and kept in the config directory`)
	fset.StringVar(&t.CertFile, "tls-cert", "", "HTTPS certificate file (PEM), with --tls-key")
	fset.StringVar(&t.KeyFile, "tls-key", "", "HTTPS key file (PEM), with --tls-cert")
	return func() (*tls.Config, error) {
		switch *mode {
		case "":
		case "auto":
			dir, err := config.Dir()
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
