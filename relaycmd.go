package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"syscall"

	"framecast/backend/ingest"
	"framecast/backend/metrics"
	"framecast/backend/relay"
	"framecast/backend/server"
)

// runRelay serves named streams that producers push to.
func runRelay(args []string, assets fs.FS) error {
	fset := flag.NewFlagSet("framecast relay", flag.ContinueOnError)
	cfg := relay.Config{}
	fset.StringVar(&cfg.Addr, "addr", ":8188", "listen address")
	fset.StringVar(&cfg.PublishToken, "publish-token", "", "token producers must give on /ingest/{stream} (default: a new random one)")
	fset.IntVar(&cfg.MaxFrame, "max-frame", ingest.DefaultMaxFrame, "largest picture accepted from a producer, bytes")
	fset.BoolVar(&cfg.LegacyIngest, "legacy-ingest", false, "accept the old Python producer, without a token, on / (insecure)")
	fset.StringVar(&cfg.LegacyStream, "legacy-stream", "default", "stream the old producer's pictures go to")
	fset.StringVar(&cfg.LegacyViewToken, "legacy-token", "", "view token of the legacy stream (default: a new random one)")
	level := fset.String("log-level", "info", "log level: debug, info, warn or error")
	loadTLS := tlsFlags(fset)
	limits := limitFlags(fset)
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	log, err := newLogger(*level)
	if err != nil {
		return err
	}
	if cfg.TLS, err = loadTLS(); err != nil {
		return err
	}
	cfg.Limits = *limits
	ws, web := "ws", "http"
	if cfg.TLS != nil {
		ws, web = "wss", "https"
	}
	if cfg.PublishToken == "" {
		cfg.PublishToken = server.NewToken()
	}
	if cfg.LegacyIngest && cfg.LegacyViewToken == "" {
		cfg.LegacyViewToken = server.NewToken()
	}
	rl, err := relay.New(cfg, relay.Deps{Assets: assets, Log: log, Metrics: metrics.New()})
	if err != nil {
		return err
	}
	defer rl.Close()
	_, p, _ := net.SplitHostPort(rl.Addr().String())
	port := ":" + p
	fmt.Printf("Framecast relay on %s\n", rl.Addr())
	fmt.Printf("  producers push to %s://HOST%s/ingest/<stream>?token=%s&view=<view token>\n", ws, port, cfg.PublishToken)
	fmt.Printf("  viewers open     %s://HOST%s/s/<stream>/?token=<view token>\n", web, port)
	if cfg.LegacyIngest {
		log.Warn("--legacy-ingest: anyone who can reach this port can publish to the stream without a token",
			"stream", cfg.LegacyStream)
		fmt.Printf("  old producer:    %s://HOST%s/  viewers: /s/%s/?token=%s (old pages: /s/%s/ws?format=dataurl&token=…)\n",
			ws, port, cfg.LegacyStream, cfg.LegacyViewToken, cfg.LegacyStream)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
