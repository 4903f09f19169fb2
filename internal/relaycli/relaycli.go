// Package relaycli is the relay's command line, shared by `framecast relay`
// and the static `framecast-relay`: flags, start-up banner, and running
// until a signal.
package relaycli

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
	"framecast/backend/protocol"
	"framecast/backend/relay"
	"framecast/internal/cli"
)

// Run is the relay command called prog: it serves named streams that
// producers push to until SIGINT or SIGTERM.
func Run(prog string, args []string, assets fs.FS) error {
	// First of all: a signal that comes while the relay starts, or just
	// after its banner, must close it as one that comes later does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fset := flag.NewFlagSet(prog, flag.ContinueOnError)
	cfg := relay.Config{}
	fset.StringVar(&cfg.Addr, "addr", ":8188", "listen address")
	envToken := os.Getenv("FRAMECAST_PUBLISH_TOKEN")
	fset.StringVar(&cfg.PublishToken, "publish-token", envToken,
		"token producers must give on /ingest/{stream}, 16 to 256 characters (default: $FRAMECAST_PUBLISH_TOKEN, which keeps it out of ps, or a new random one)")
	printToken := fset.Bool("print-token", false, "print the publish token (and the legacy stream's view token) in the start-up links; by default they are left out, since stdout often ends in a log, unless a token made up here is printed to a terminal")
	fset.IntVar(&cfg.MaxFrame, "max-frame", ingest.DefaultMaxFrame, "largest picture accepted from a producer, bytes")
	fset.BoolVar(&cfg.LegacyIngest, "legacy-ingest", false, "serve the old Node.js relay's root /: the old Python producer and old pages connect there unchanged (open to anyone who can reach the port, unless --legacy-token)")
	fset.StringVar(&cfg.LegacyStream, "legacy-stream", "default", "name of the stream on / (its Framecast viewer page is /s/<name>/)")
	fset.StringVar(&cfg.LegacyToken, "legacy-token", "", "with --legacy-ingest: / needs ?token=<this>, and it is the stream's view token, 16 to 256 characters (default: / is open)")
	natsURLs := fset.String("nats", "", "share streams with other relays through NATS: nats://host:4222[,nats://…] (JetStream on); a producer may push to any of them and viewers watch on all")
	natsName := fset.String("nats-name", "", "this relay's name in the cluster (default: the host name and port)")
	natsReplicas := fset.Int("nats-replicas", 1, "copies of the shared stream table: 3 on a NATS cluster of 3 or more servers")
	embedAddr := fset.String("nats-embed", "", "run a NATS server inside this relay on ADDR (host:port) and join it; --nats adds other servers")
	embedCluster := fset.String("nats-cluster", "", "with --nats-embed: address the other embedded servers' routes connect to (host:port)")
	embedRoutes := fset.String("nats-routes", "", "with --nats-embed: the other servers' routes, nats-route://host:port[,…]")
	level := fset.String("log-level", "info", "log level: debug, info, warn or error")
	loadTLS := cli.TLSFlags(fset)
	limits := cli.LimitFlags(fset)
	origins := cli.OriginFlag(fset)
	if err := cli.ParseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fset.Arg(0))
	}
	b := banner{print: *printToken}
	switch {
	case cfg.PublishToken == "":
		cfg.PublishToken, b.made = protocol.NewToken(), true
		b.print = b.print || isTerminal(os.Stdout)
	case cli.Given(fset, "publish-token"):
		if err := protocol.CheckToken(cfg.PublishToken); err != nil {
			return fmt.Errorf("--publish-token: %w", err)
		}
	default:
		if err := protocol.CheckToken(cfg.PublishToken); err != nil {
			return fmt.Errorf("$FRAMECAST_PUBLISH_TOKEN: %w", err)
		}
	}
	if cfg.LegacyToken != "" {
		if err := protocol.CheckToken(cfg.LegacyToken); err != nil {
			return fmt.Errorf("--legacy-token: %w", err)
		}
	}
	log, err := cli.NewLogger(*level)
	if err != nil {
		return err
	}
	tc, stopTLS, err := loadTLS(log)
	if err != nil {
		return err
	}
	defer stopTLS()
	cfg.TLS = tc
	cfg.Limits, cfg.AllowOrigins = *limits, *origins
	bus, closeBus, err := joinCluster(clusterFlags{urls: *natsURLs, name: *natsName, replicas: *natsReplicas,
		embed: *embedAddr, cluster: *embedCluster, routes: *embedRoutes, addr: cfg.Addr}, log)
	if err != nil {
		return err
	}
	defer closeBus()
	d := relay.Deps{Assets: assets, Log: log, Metrics: metrics.New()}
	if bus != nil {
		d.Bus = bus
	}
	rl, err := relay.New(cfg, d)
	if err != nil {
		return err
	}
	defer rl.Close()
	if cfg.LegacyIngest && cfg.LegacyToken == "" {
		log.Warn("--legacy-ingest: / is open, as the old relay was: anyone who can reach this port can publish to and watch the stream; --legacy-token closes it",
			"stream", cfg.LegacyStream)
	}
	b.addr, b.tls, b.publishToken = rl.Addr().(*net.TCPAddr), cfg.TLS != nil, cfg.PublishToken
	if cfg.LegacyIngest {
		b.legacy, b.legacyStream, b.legacyToken, b.legacyView = true, cfg.LegacyStream, cfg.LegacyToken, rl.LegacyViewToken()
	}
	b.write(os.Stdout)
	<-ctx.Done()
	return nil
}
