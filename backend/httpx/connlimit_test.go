package httpx

import (
	"framecast/internal/testnet"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"
)

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
				cc, err := testnet.From(s.from).Dial("tcp", inner.Addr().String())
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				defer cc.Close()
				closed := make(chan bool, 1)
				go func() { closed <- testnet.ClosedByPeer(cc, 5*time.Second) }()
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
