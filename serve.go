package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/metrics"
	"framecast/backend/push"
	"framecast/backend/server"
	"framecast/backend/vision"
	"framecast/internal/cli"
)

// serveFlags reads the flags shared by serve and the benchmark's server.
func serveFlags(fset *flag.FlagSet) (*engine.Settings, *server.Config, *string) {
	s := engine.DefaultSettings()
	c := server.Config{}
	fset.StringVar(&s.Source, "source", s.Source, "source: test, camera:N, a video file, or an rtsp:// or http(s):// URL")
	fset.StringVar(&c.Addr, "addr", ":8188", "listen address")
	fset.StringVar(&c.Token, "token", "", "access token for viewer links (default: a new random one)")
	fset.StringVar(&c.Name, "name", "framecast", "stream name shown to viewers")
	fset.IntVar(&s.Quality, "quality", s.Quality, "JPEG quality, 1-100")
	fset.IntVar(&s.MaxWidth, "width", s.MaxWidth, "max frame width; larger frames are scaled down (0: no limit)")
	fset.IntVar(&s.MaxHeight, "height", s.MaxHeight, "max frame height; larger frames are scaled down (0: no limit)")
	fset.IntVar(&s.FPS, "fps", s.FPS, "frame rate cap, 1-120")
	fset.Func("process", "processing chain, e.g. faces,overlay or blur:size=15,motion:minArea=800", func(v string) error {
		items, err := vision.ParseChain(v)
		s.Process = items
		return err
	})
	level := fset.String("log-level", "info", "log level: debug, info, warn or error")
	return &s, &c, level
}

// newLogger makes the process's logger. Below debug level it also quiets
// OpenCV's own console messages: Framecast reports the errors that matter in
// its own words.
func newLogger(level string) (*slog.Logger, error) {
	log, err := cli.NewLogger(level)
	if err != nil {
		return nil, err
	}
	if _, set := os.LookupEnv("OPENCV_LOG_LEVEL"); !set && !log.Enabled(context.Background(), slog.LevelDebug) {
		_ = os.Setenv("OPENCV_LOG_LEVEL", "OFF")
	}
	return log, nil
}

func runServe(args []string, assets fs.FS) error {
	fset := flag.NewFlagSet("framecast serve", flag.ContinueOnError)
	settings, cfg, level := serveFlags(fset)
	pushURL := fset.String("push", "", "also push the stream to a relay: wss://relay/ingest/<stream> (viewers use --token there)")
	publishToken := fset.String("publish-token", "", "the relay's publish token, with --push")
	caFile := fset.String("ca-file", "", "with a wss:// --push: PEM file of the CA that signed the relay's certificate, trusted instead of the system's CAs (for a relay on a private CA)")
	loadTLS := cli.TLSFlags(fset)
	limits := cli.LimitFlags(fset)
	origins := cli.OriginFlag(fset)
	if err := cli.ParseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fset.Arg(0))
	}
	log, err := newLogger(*level)
	if err != nil {
		return err
	}
	if cfg.Token == "" {
		cfg.Token = server.NewToken()
	}
	tc, stopTLS, err := loadTLS(log)
	if err != nil {
		return err
	}
	defer stopTLS()
	cfg.TLS = tc
	h := hub.New()
	m := metrics.New()
	eng, err := engine.New(*settings, engine.Deps{Hub: h, Log: log, Observer: m})
	if err != nil {
		return err
	}
	defer eng.Close()
	m.Watch(func() []metrics.Stream { return []metrics.Stream{{Name: cfg.Name, Hub: h, Stats: eng.Stats}} })
	srv, err := server.New(*cfg, server.Deps{Hub: h, Stream: eng, Assets: assets, Log: log, Metrics: m.Handler(), OnPanic: m.Panic, Limits: *limits, Origins: *origins})
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Printf("Framecast is streaming %s. Open a viewer link:\n", settings.Source)
	for _, u := range srv.ViewerURLs() {
		fmt.Println("  " + u)
	}
	if *pushURL != "" {
		p, err := push.New(push.Config{URL: *pushURL, PublishToken: *publishToken, ViewToken: cfg.Token, CAFile: *caFile}, h, log)
		if err != nil {
			return fmt.Errorf("--push: %w", err)
		}
		defer p.Close()
		fmt.Println("Pushing to the relay; viewers beyond the LAN open:\n  " + p.Status().ViewerURL)
	}
	fmt.Println("Press Ctrl+C to stop.")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}
