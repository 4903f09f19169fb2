package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// startCluster starts n relays of side, each running a NATS server of its
// own (--nats-embed) joined by routes into one NATS cluster of n, as
// docs/scaling.md describes for a small cluster without other processes.
// The first relay is the one the producer pushes to. They start together:
// the NATS servers need each other to elect JetStream's leader before any
// relay can open the stream table.
func startCluster(ctx context.Context, side relaySide, n int) ([]*process, error) {
	addrs := make([]string, n)  // the relays' HTTP addresses
	client := make([]string, n) // each NATS server's client address
	routes := make([]string, n) // and its route address
	for i := range n {
		for _, a := range []*string{&addrs[i], &client[i], &routes[i]} {
			var err error
			if *a, err = freeAddr(); err != nil {
				return nil, err
			}
		}
	}
	replicas := 1
	if n >= 3 {
		replicas = 3 // as docs/scaling.md recommends for a cluster of 3 or more
	}
	procs := make([]*process, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		var others []string
		for j := range n {
			if j != i {
				others = append(others, "nats-route://"+routes[j])
			}
		}
		start := side.args("--nats-embed", client[i], "--nats-cluster", routes[i],
			"--nats-routes", strings.Join(others, ","), "--nats-replicas", strconv.Itoa(replicas),
			"--nats-name", fmt.Sprintf("bench-%d-relay-%d", os.Getpid(), i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i], errs[i] = start(ctx, addrs[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			stopAll(procs)
			return nil, fmt.Errorf("relay %d of the cluster: %w", i, err)
		}
	}
	return procs, nil
}

// awaitStream waits until every relay answers for the bench stream with
// the view token: the producer's relay has claimed it in the cluster's
// table and the others have read it, so no viewer is refused as if it had
// named an unknown stream.
func awaitStream(ctx context.Context, procs []*process) error {
	deadline := time.Now().Add(15 * time.Second)
	for _, p := range procs {
		url := "http://" + p.addr + "/s/bench/api/state?token=" + relayView
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("relay %s did not know the stream within 15 s (last: %v)", p.addr, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func stopAll(procs []*process) {
	for _, p := range procs {
		if p != nil {
			p.stop()
		}
	}
}
