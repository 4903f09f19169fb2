package natsbus

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbedConfig runs a NATS server inside the relay (--nats-embed), so a
// small cluster needs no other process. An external NATS cluster stays the
// recommended setup for production.
type EmbedConfig struct {
	Name    string // the server's name, unique in the cluster
	Addr    string // clients (relays) connect here, host:port
	Cluster string // routes from other servers arrive here, host:port; "" with no Routes: no cluster
	Routes  string // comma-separated nats-route:// URLs of the other servers
	// StoreDir keeps JetStream's files; the stream table itself is held
	// in memory.
	StoreDir string
}

// Embed starts the server and waits until it takes clients. It takes
// messages up to 8 MiB, NATS's own ceiling, so frames up to the relay's
// default --max-frame pass.
func Embed(cfg EmbedConfig) (*server.Server, error) {
	host, port, err := splitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("--nats-embed %q: %w", cfg.Addr, err)
	}
	if cfg.StoreDir == "" {
		cfg.StoreDir = filepath.Join(os.TempDir(), "framecast-nats-"+cfg.Name)
	}
	opts := &server.Options{ServerName: cfg.Name, Host: host, Port: port, JetStream: true, StoreDir: cfg.StoreDir,
		NoSigs: true, NoLog: true, MaxPayload: server.MAX_PAYLOAD_MAX_SIZE}
	if cfg.Routes != "" && cfg.Cluster == "" {
		return nil, fmt.Errorf("--nats-routes needs --nats-cluster, the address other servers' routes connect to")
	}
	if cfg.Cluster != "" {
		ch, cp, err := splitHostPort(cfg.Cluster)
		if err != nil {
			return nil, fmt.Errorf("--nats-cluster %q: %w", cfg.Cluster, err)
		}
		opts.Cluster = server.ClusterOpts{Name: "framecast", Host: ch, Port: cp}
		opts.Routes = server.RoutesFromStr(cfg.Routes)
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("NATS server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("NATS server on %s did not start within 10 s", cfg.Addr)
	}
	return s, nil
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q: a number from 0 to 65535", p)
	}
	return host, port, nil
}
