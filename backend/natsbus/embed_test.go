package natsbus_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"framecast/backend/natsbus"
)

// Three relays started together, each with an embedded NATS server routed
// to the others (`framecast relay --nats-embed … --nats-cluster …
// --nats-routes …`), all connect: none gives up while JetStream elects its
// leader, which happens only once the routes are up.
func TestRelaysStartedTogetherWithEmbeddedServersAllConnect(t *testing.T) {
	// NATS must know every route address from the start, and port 0
	// means its default port: the addresses are picked first.
	pick := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	const n = 3
	var clients, routes []string
	for range n {
		clients, routes = append(clients, pick()), append(routes, pick())
	}
	errs := make(chan error, n)
	for i := range n {
		go func() {
			var others []string
			for j := range n {
				if j != i {
					others = append(others, "nats-route://"+routes[j])
				}
			}
			srv, err := natsbus.Embed(natsbus.EmbedConfig{Name: fmt.Sprintf("together%d", i), Addr: clients[i],
				Cluster: routes[i], Routes: strings.Join(others, ","), StoreDir: t.TempDir()})
			if err != nil {
				errs <- err
				return
			}
			t.Cleanup(srv.Shutdown)
			bus, err := natsbus.Connect(natsbus.Config{URLs: srv.ClientURL(), Name: fmt.Sprintf("relay%d", i), Replicas: n}, nil)
			if err == nil {
				t.Cleanup(bus.Close)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("a relay of the three: %v", err)
		}
	}
}
