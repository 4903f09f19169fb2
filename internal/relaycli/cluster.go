package relaycli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"framecast/backend/natsbus"
)

// clusterFlags are the relay's NATS flags.
type clusterFlags struct {
	urls, name string
	replicas   int
	embed      string // --nats-embed
	cluster    string // --nats-cluster
	routes     string // --nats-routes
	addr       string // the relay's own --addr, for a default name
}

// joinCluster starts the embedded NATS server if asked and connects to
// NATS; without --nats or --nats-embed it returns a nil bus.
func joinCluster(f clusterFlags, log *slog.Logger) (*natsbus.Bus, func(), error) {
	if f.urls == "" && f.embed == "" {
		if f.cluster != "" || f.routes != "" {
			return nil, nil, fmt.Errorf("--nats-cluster and --nats-routes need --nats-embed")
		}
		return nil, func() {}, nil
	}
	if f.name == "" {
		host, _ := os.Hostname()
		f.name = host + strings.ReplaceAll(f.addr, ":", "-")
	}
	urls := f.urls
	stop := func() {}
	if f.embed != "" {
		srv, err := natsbus.Embed(natsbus.EmbedConfig{Name: f.name, Addr: f.embed, Cluster: f.cluster, Routes: f.routes})
		if err != nil {
			return nil, nil, err
		}
		stop = func() { srv.Shutdown(); srv.WaitForShutdown() }
		urls = strings.Trim(srv.ClientURL()+","+urls, ",")
		log.Info("embedded NATS server", "clients", srv.ClientURL(), "cluster", f.cluster)
	}
	bus, err := natsbus.Connect(natsbus.Config{URLs: urls, Name: f.name, Replicas: f.replicas}, log)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return bus, func() { bus.Close(); stop() }, nil
}
