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
	"framecast/backend/relay"
	"framecast/backend/server"
	"framecast/internal/cli"
)

// Run is the relay command called prog: it serves named streams that
// producers push to until SIGINT or SIGTERM.
func Run(prog string, args []string, assets fs.FS) error {
	fset := flag.NewFlagSet(prog, flag.ContinueOnError)
	cfg := relay.Config{}
	fset.StringVar(&cfg.Addr, "addr", ":8188", "listen address")
	fset.StringVar(&cfg.PublishToken, "publish-token", os.Getenv("FRAMECAST_PUBLISH_TOKEN"),
		"token producers must give on /ingest/{stream} (default: $FRAMECAST_PUBLISH_TOKEN, which keeps it out of ps, or a new random one)")
	fset.IntVar(&cfg.MaxFrame, "max-frame", ingest.DefaultMaxFrame, "largest picture accepted from a producer, bytes")
	fset.BoolVar(&cfg.LegacyIngest, "legacy-ingest", false, "serve the old Node.js relay's root /: the old Python producer and old pages connect there unchanged (open to anyone who can reach the port, unless --legacy-token)")
	fset.StringVar(&cfg.LegacyStream, "legacy-stream", "default", "name of the stream on / (its Framecast viewer page is /s/<name>/)")
	fset.StringVar(&cfg.LegacyToken, "legacy-token", "", "with --legacy-ingest: / needs ?token=<this>, and it is the stream's view token (default: / is open)")
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
	ws, web := "ws", "http"
	if cfg.TLS != nil {
		ws, web = "wss", "https"
	}
	if cfg.PublishToken == "" {
		cfg.PublishToken = server.NewToken()
	}
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
	_, p, _ := net.SplitHostPort(rl.Addr().String())
	port := ":" + p
	fmt.Printf("Framecast relay on %s\n", rl.Addr())
	fmt.Printf("  producers push to %s://HOST%s/ingest/<stream>?token=%s&view=<view token>\n", ws, port, cfg.PublishToken)
	fmt.Printf("  viewers open     %s://HOST%s/s/<stream>/?token=<view token>\n", web, port)
	if cfg.LegacyIngest {
		root := fmt.Sprintf("%s://HOST%s/", ws, port)
		if cfg.LegacyToken == "" {
			log.Warn("--legacy-ingest: / is open, as the old relay was: anyone who can reach this port can publish to and watch the stream; --legacy-token closes it",
				"stream", cfg.LegacyStream)
		} else {
			root += "?token=" + cfg.LegacyToken
		}
		fmt.Printf("  old setup:       producer and old pages connect to %s (stream %q)\n", root, cfg.LegacyStream)
		fmt.Printf("                   Framecast's page: %s://HOST%s/s/%s/?token=%s\n", web, port, cfg.LegacyStream, rl.LegacyViewToken())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
