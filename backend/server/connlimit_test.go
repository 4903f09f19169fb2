package server

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// from is a dialer whose connections come from the loopback address ip
// (127.0.0.2, 127.0.0.3, …): Linux answers on all of 127.0.0.0/8, so each
// is a client address of its own.
func from(ip string) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
}

// clientFrom is an HTTP client whose requests come from ip.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	tr := &http.Transport{DialContext: from(ip).DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// closedByPeer reports whether c's peer closes it within d, reading and
// discarding whatever comes first.
func closedByPeer(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

func TestConnectionsOverTheCapsAreClosedAtOnce(t *testing.T) {
	// step dials from an address and expects the connection held or
	// closed at once; a step without an address closes the server's side
	// of the free'th connection held so far.
	type step struct {
		from string
		held bool
		free int
	}
	cases := []struct {
		name   string
		limits Limits
		steps  []step
	}{
		{"an address at its cap has its next connection closed, and other addresses are still served",
			Limits{MaxConns: 4, MaxConnsPerIP: 2, MaxPerIP: 1},
			[]step{{from: "127.0.0.2", held: true}, {from: "127.0.0.2", held: true}, {from: "127.0.0.2"}, {from: "127.0.0.2"},
				{from: "127.0.0.3", held: true}}},
		{"at the total cap every address has its next connection closed",
			Limits{MaxConns: 4, MaxConnsPerIP: 2, MaxPerIP: 1},
			[]step{{from: "127.0.0.2", held: true}, {from: "127.0.0.2", held: true}, {from: "127.0.0.3", held: true},
				{from: "127.0.0.3", held: true}, {from: "127.0.0.4"}, {from: "127.0.0.5"}}},
		{"a closed connection gives its slot back",
			Limits{MaxConns: 4, MaxConnsPerIP: 2, MaxPerIP: 1},
			[]step{{from: "127.0.0.2", held: true}, {from: "127.0.0.2", held: true}, {from: "127.0.0.2"}, {free: 0},
				{from: "127.0.0.2", held: true}, {from: "127.0.0.2"}}},
		{"a trusted proxy's connections count toward the total only",
			Limits{MaxConns: 4, MaxConnsPerIP: 2, MaxPerIP: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.6/32")}},
			[]step{{from: "127.0.0.6", held: true}, {from: "127.0.0.6", held: true}, {from: "127.0.0.6", held: true},
				{from: "127.0.0.6", held: true}, {from: "127.0.0.6"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln := newConnLimiter(inner, c.limits, slog.New(slog.DiscardHandler))
			defer ln.Close()
			accepted := make(chan net.Conn, len(c.steps))
			go func() {
				for {
					sc, err := ln.Accept()
					if err != nil {
						return
					}
					accepted <- sc
				}
			}()
			var held []net.Conn // the server's side
			defer func() {
				for _, sc := range held {
					sc.Close()
				}
			}()
			for i, s := range c.steps {
				if s.from == "" {
					held[s.free].Close()
					continue
				}
				cc, err := from(s.from).Dial("tcp", inner.Addr().String())
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				defer cc.Close()
				closed := make(chan bool, 1)
				go func() { closed <- closedByPeer(cc, 5*time.Second) }()
				select {
				case sc := <-accepted:
					if sc.RemoteAddr().String() != cc.LocalAddr().String() {
						t.Fatalf("step %d: accepted %s, want %s", i, sc.RemoteAddr(), cc.LocalAddr())
					}
					held = append(held, sc)
					if !s.held {
						t.Fatalf("step %d: the connection from %s was accepted, want it closed at once", i, s.from)
					}
				case <-closed:
					if s.held {
						t.Fatalf("step %d: the connection from %s was closed, want it held", i, s.from)
					}
				}
			}
		})
	}
}

func TestOneAddressHoldingIdleConnectionsDoesNotShutOutAnother(t *testing.T) {
	const idle, perIP = 300, 8
	s := startStreamWith(t, smallSettings(), Limits{MaxConns: 32, MaxConnsPerIP: perIP, MaxPerIP: 4})
	addr := s.srv.Addr().String()
	conns := make([]net.Conn, 0, idle)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	d := from("127.0.0.2")
	for range idle {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}

	start := time.Now()
	resp, err := clientFrom(t, "127.0.0.3").Get(s.base + "/healthz")
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
			if closedByPeer(c, time.Second) {
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
