package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/ingest"
	"framecast/backend/links"
	"framecast/backend/metrics"
	"framecast/backend/protocol"
	"framecast/backend/push"
	"framecast/backend/server"
	"framecast/backend/site"
	"framecast/backend/source"
	"framecast/backend/station"
	"framecast/backend/vision"
	"framecast/internal/cli"
)

// serveFlags reads the flags shared by serve and the benchmark's server.
func serveFlags(fset *flag.FlagSet) (*engine.Settings, *server.Config, *string) {
	s := engine.DefaultSettings()
	c := server.Config{}
	fset.StringVar(&s.Source, "source", s.Source, "source: test, camera:N, a video file, an rtsp:// or http(s):// URL, or ingest (a producer's frames on /ingest/<name>, with --publish-token)")
	fset.StringVar(&c.Addr, "addr", ":8188", "listen address")
	fset.StringVar(&c.Token, "token", "", "access token for viewer links (default: a new random one)")
	fset.StringVar(&c.Name, "name", "framecast", "stream name shown to viewers")
	fset.IntVar(&s.Quality, "quality", s.Quality, "JPEG quality, 1-100")
	fset.IntVar(&s.MaxWidth, "width", s.MaxWidth, "max frame width; larger frames are scaled down (0: no limit)")
	fset.IntVar(&s.MaxHeight, "height", s.MaxHeight, "max frame height; larger frames are scaled down (0: no limit)")
	fset.IntVar(&s.FPS, "fps", s.FPS, "frame rate cap, 1-120")
	fset.Func("codec", "what viewers get: auto (H.264 to browsers that decode it, JPEG to the rest) or jpeg (JPEG only, no H.264 encoded) (default auto)", func(v string) error {
		c, err := config.ParseCodec(v)
		s.Codec = c
		return err
	})
	fset.Func("bitrate", "H.264 bitrate of the stream's own size, e.g. 2M or 800k (smaller renditions get their share by pixel count); auto: 0.07 bit a pixel a frame, about 2M at 720p and 30 fps (default auto)", func(v string) error {
		b, err := config.ParseBitrate(v)
		s.Bitrate = b
		return err
	})
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
	// First of all: a signal that comes while the stream starts, or just
	// after its links are printed, must close it as one that comes later does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fset := flag.NewFlagSet("framecast serve", flag.ContinueOnError)
	settings, cfg, level := serveFlags(fset)
	pushURL := fset.String("push", "", "also push the stream to a relay: ws://relay:8188/ingest/<stream>, or wss:// for a relay with HTTPS (viewers use --token there); several relays of a cluster, comma-separated, are tried in turn")
	publishToken := fset.String("publish-token", "", "16 to 256 characters: with --source ingest, the token a producer gives on /ingest/<name>; with --push, the relay's publish token (the same one for both)")
	maxFrame := fset.Int("max-frame", ingest.DefaultMaxFrame, "with --source ingest: largest picture accepted from the producer, bytes")
	configPath := fset.String("config", "", "a YAML file of streams (docs/config.md), instead of the flags of one stream; a file that does not exist is written as a commented example")
	adminToken := fset.String("admin-token", "", "token of the runtime API (/api/streams, Authorization: Bearer), 16 to 256 characters (default: the API is off)")
	caFile := fset.String("ca-file", "", "with a wss:// --push: PEM file of the CA that signed the relay's certificate, trusted instead of the system's CAs (for a relay on a private CA)")
	recording := recordFlags(fset)
	stateDir := fset.String("state", defaultStateDir(), "with an admin token: the folder where the customer links (links.json) and their audit (audit/) are kept")
	loadTLS := cli.TLSFlags(fset)
	limits := cli.LimitFlags(fset)
	origins := cli.OriginFlag(fset)
	renditions := protocol.DefaultRenditions()
	fset.Func("renditions", "smaller copies offered to viewers on slow links, largest first: WIDTHxHEIGHT@QUALITY,… or none (default 640x360@70,426x240@60,320x180@50)", func(v string) error {
		var err error
		renditions, err = protocol.ParseRenditions(v)
		return err
	})
	if err := cli.ParseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fset.Arg(0))
	}
	var file *config.File
	if *configPath != "" {
		f, err := loadConfigFile(*configPath, fset, os.Stdout)
		if err != nil {
			return err
		}
		file = &f
		cfg.Addr = f.Addr
		*caFile = f.Relay.CAFile
	} else if err := checkServeFlags(cfg.Token, cfg.Name, *adminToken, *pushURL, *publishToken, settings.Source); err != nil {
		return err
	}
	if *maxFrame < 1 {
		return fmt.Errorf("--max-frame %d: must be at least 1 byte", *maxFrame)
	}
	log, err := newLogger(*level)
	if err != nil {
		return err
	}
	tc, stopTLS, err := loadTLS(log)
	if err != nil {
		return err
	}
	defer stopTLS()
	host, port, err := splitAddr(cfg.Addr)
	if err != nil {
		return err
	}
	store, err := openStore(*recording, log)
	if err != nil {
		return err
	}
	if store != nil {
		defer func() {
			// After the site: its streams have stopped recording.
			if err := store.Close(); err != nil {
				log.Warn("close the recordings", "err", err)
			}
		}()
	}
	admin := *adminToken
	if file != nil {
		admin = file.AdminToken
	}
	ls, err := openLinks(*stateDir, admin, log)
	if err != nil {
		return err
	}
	var book *links.Book
	var audit *links.AuditLog
	if ls != nil {
		defer ls.close(log) // after the site
		book, audit = ls.book, ls.audit
	}
	var sc site.Config
	relay := config.Push{PublishToken: *publishToken}
	var save func(site.Config) error
	if file != nil {
		runToken := file.Token
		if runToken == "" {
			runToken = protocol.NewToken()
		}
		sc = fileSite(*file, port, tc != nil, runToken)
		relay = config.Push{Relay: file.Relay.URL, PublishToken: file.Relay.PublishToken}
		save = (&fileSaver{path: *configPath, file: *file, runToken: runToken}).save
	} else {
		cam := config.Camera{Name: cfg.Name, Stream: *settings, Token: cfg.Token, Renditions: renditions, Record: store != nil}
		if isIngestSource(settings.Source) {
			cam.PublishToken = *publishToken
		}
		if cam.Renditions == nil {
			cam.Renditions = []protocol.Rendition{} // --renditions none
		}
		if *pushURL != "" {
			if cam.Push, err = config.PushFromURL(*pushURL, *publishToken); err != nil {
				return fmt.Errorf("--push: %w", err)
			}
			relay.Relay = cam.Push.Relay
		}
		sc = site.Config{Port: port, TLS: tc != nil, AdminToken: *adminToken, Streams: []config.Camera{cam}}
	}
	st, err := site.New(sc, site.Deps{
		Assets: assets, Log: log, Listen: host,
		TLS:    func() (*tls.Config, error) { return tc, nil },
		Limits: *limits, Origins: *origins, Metrics: metrics.New(), CAFile: *caFile,
		Relay: relay, Save: save, Store: store, Links: book, Audit: audit, MaxFrame: *maxFrame,
	})
	if err != nil {
		return err
	}
	defer st.Close()
	printBanner(os.Stdout, st)
	printRecording(os.Stdout, *recording, st)
	printLinks(os.Stdout, ls)
	var reports sync.WaitGroup
	for _, one := range st.Stations() {
		p, status := one.Push()
		if !p.Enabled {
			continue
		}
		relay := pushTarget(p)
		// Not "pushing" yet: that is said once the relay has taken the stream.
		fmt.Printf("Connecting to the relay at %s; once it takes the stream, viewers beyond the LAN open:\n  %s\n",
			relay, status.ViewerURL)
		reports.Add(1)
		go func() {
			defer reports.Done()
			reportPush(ctx, os.Stdout, relay, func() push.Status { _, s := one.Push(); return s })
		}()
	}
	fmt.Println("Press Ctrl+C to stop.")
	<-ctx.Done()
	reports.Wait()
	log.Info("shutting down")
	return nil
}

// checkServeFlags holds serve's tokens to the one rule and the stream's
// name to the relay's, naming the flag.
func checkServeFlags(token, name, adminToken, pushURL, publishToken, source string) error {
	if adminToken != "" {
		if err := protocol.CheckToken(adminToken); err != nil {
			return fmt.Errorf("--admin-token: %w", err)
		}
	}
	if !protocol.ValidStreamName(name) {
		return fmt.Errorf("--name %s: %s", protocol.Quote(name), protocol.StreamNameRule)
	}
	if token != "" {
		if err := protocol.CheckToken(token); err != nil {
			return fmt.Errorf("--token: %w", err)
		}
	}
	if isIngestSource(source) && publishToken == "" {
		return errors.New("--source ingest: give the token its producer will send with --publish-token (16 to 256 characters)")
	}
	if pushURL != "" && publishToken == "" {
		return errors.New("--push: give the relay's publish token with --publish-token")
	}
	if publishToken != "" {
		if err := protocol.CheckToken(publishToken); err != nil {
			return fmt.Errorf("--publish-token: %w", err)
		}
	}
	return nil
}

// isIngestSource reports whether a --source or a config file's source is
// a producer's frames.
func isIngestSource(spec string) bool {
	s, err := source.ParseSpec(spec)
	return err == nil && s.Kind == source.KindIngest
}

// pushPoll is how often serve looks at the push's state to say when it
// changes.
const pushPoll = 200 * time.Millisecond

// reportPush prints each change of the push's state to w, until ctx ends:
// "pushing" only once the relay has taken the stream, and a refusal as one.
func reportPush(ctx context.Context, w io.Writer, relay string, status func() push.Status) {
	t := time.NewTicker(pushPoll)
	defer t.Stop()
	was := push.Status{State: "connecting"}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := status()
		if now.State == was.State && now.Error == was.Error {
			continue
		}
		switch now.State {
		case "connected":
			fmt.Fprintf(w, "Pushing to the relay at %s.\n", relay)
		case "refused":
			fmt.Fprintf(w, "The relay at %s refused the stream: %s. Trying again every %v; fix the cause and it connects.\n",
				relay, now.Error, push.RefusedRetry)
		case "retrying":
			if was.State == "connected" || now.Error != was.Error {
				fmt.Fprintf(w, "Not pushing to the relay at %s: %s. Retrying.\n", relay, now.Error)
			}
		}
		was = now
	}
}

// splitAddr reads --addr, ":8188" or "host:port", as a host and a port.
func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("--addr %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("--addr %q: the port must be a number from 0 to 65535", addr)
	}
	return host, port, nil
}

// printBanner says what serve streams and the links to open.
func printBanner(w io.Writer, s *site.Site) {
	list := s.Stations()
	if len(list) == 1 {
		fmt.Fprintf(w, "Framecast is streaming %s. Open a viewer link:\n", protocol.Redact(list[0].Settings().Source))
		for _, u := range s.URLs(list[0].Name()) {
			fmt.Fprintln(w, "  "+u)
		}
		printIngest(w, list[0])
		return
	}
	fmt.Fprintf(w, "Framecast is streaming %d streams.\n", len(list))
	if grid := s.GridURLs(); grid != nil {
		fmt.Fprintln(w, "Open all of them on one page:")
		for _, u := range grid {
			fmt.Fprintln(w, "  "+u)
		}
	}
	for _, st := range list {
		fmt.Fprintf(w, "%s (%s):\n", st.Name(), protocol.Redact(st.Settings().Source))
		for _, u := range s.URLs(st.Name()) {
			fmt.Fprintln(w, "  "+u)
		}
		printIngest(w, st)
	}
}

// printIngest says where the producer of a stream whose source is ingest
// sends its frames. The publish token is the operator's own: the banner
// names its place, not the token, as logs never carry it.
func printIngest(w io.Writer, st *station.Station) {
	urls, token := st.Ingest()
	if len(urls) == 0 {
		return
	}
	fmt.Fprintln(w, "Its producer sends its frames to (docs/python.md):")
	for _, u := range urls {
		fmt.Fprintln(w, "  "+strings.Replace(u, url.Values{"token": {token}}.Encode(), "token=<publish token>", 1))
	}
}

// pushTarget names where p pushes: each relay's ingest URL, without
// credentials.
func pushTarget(p config.Push) string {
	var urls []string
	for _, base := range strings.Split(p.Relay, ",") {
		u, err := config.IngestURL(strings.TrimSpace(base), p.Stream)
		if err != nil {
			u = base
		}
		urls = append(urls, protocol.Redact(u))
	}
	return strings.Join(urls, ",")
}
