package server

import (
	"framecast/backend/httpx"
	"framecast/internal/testnet"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestOneAddressHoldingIdleConnectionsDoesNotShutOutAnother(t *testing.T) {
	const idle, perIP = 300, 8
	s := startStreamWith(t, smallSettings(), httpx.Limits{MaxConns: 32, MaxConnsPerIP: perIP, MaxPerIP: 4})
	addr := s.srv.Addr().String()
	conns := make([]net.Conn, 0, idle)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	d := testnet.From("127.0.0.2")
	for range idle {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}

	start := time.Now()
	resp, err := testnet.ClientFrom(t, "127.0.0.3").Get(s.base + "/healthz")
	if err != nil {
		t.Fatalf("another address, with %d idle connections from 127.0.0.2 open: %v", idle, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || time.Since(start) > 2*time.Second {
		t.Fatalf("another address: /healthz %d after %v, want 200 at once", resp.StatusCode, time.Since(start))
	}

	// Every connection over the cap was closed at once; only the first
	// perIP are held (until the header timeout, longer than this wait).
	var wg sync.WaitGroup
	var mu sync.Mutex
	closed := 0
	for _, c := range conns {
		wg.Go(func() {
			if testnet.ClosedByPeer(c, time.Second) {
				mu.Lock()
				closed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if closed != idle-perIP {
		t.Fatalf("%d of %d idle connections closed by the server, want all but the %d allowed", closed, idle, perIP)
	}
}
