package httpx

import (
	"fmt"
	"framecast/internal/testnet"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// dialFrom opens a TCP connection to addr from the loopback address ip.
func dialFrom(ip, addr string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return d.Dial("tcp", addr)
}

// healthzFrom asks GET /healthz from ip and reports whether it said ok.
func healthzFrom(ip, addr string) bool {
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	resp, err := hc.Get("http://" + addr + "/healthz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && string(body) == "ok\n"
}

func TestDrippingRequestBodiesCannotHoldEveryConnection(t *testing.T) {
	const (
		addresses = 16
		perIP     = 128
		body      = time.Second // the test's body timeout
	)
	limits := Limits{MaxConns: addresses * perIP, MaxConnsPerIP: perIP}
	ln, err := Listen("127.0.0.1:0", nil, limits, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "401 unauthorized", http.StatusUnauthorized)
	})
	srv := newHTTPServer(WithHealth(refuse), slog.New(slog.DiscardHandler), nil,
		httpTimeouts{header: readHeaderTimeout, idle: idleTimeout, body: body})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	// Every slot taken by a request whose body comes a byte at a time, from
	// 16 addresses at their per-address cap (net/http reads an unread body
	// of less than 256 KiB before it replies, to keep the connection).
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := range addresses * perIP {
		ip := fmt.Sprintf("127.0.1.%d", 1+i%addresses)
		c, err := dialFrom(ip, addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		head := "POST /s/cam/api/state HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nx"
		if i%2 == 1 {
			head = "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx"
		}
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
	}
	// They keep dripping, a byte each every 500 ms, until the test ends.
	stop := make(chan struct{})
	var dripping sync.WaitGroup
	dripping.Add(1)
	go func() {
		defer dripping.Done()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				for _, c := range conns {
					_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
					_, _ = c.Write([]byte("x"))
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); dripping.Wait() })

	t.Run("another address gets healthz answered", func(t *testing.T) {
		testnet.WaitUntil(t, "healthz from another address", func() bool { return healthzFrom("127.0.2.1", addr) })
	})
	t.Run("every dripping connection is closed by the server", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		open := 0
		for _, c := range conns {
			wg.Go(func() {
				if !testnet.ClosedByPeer(c, 30*time.Second) {
					mu.Lock()
					open++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if open > 0 {
			t.Fatalf("%d dripping connections still open", open)
		}
	})
	t.Run("a request whose body comes at once is still answered", func(t *testing.T) {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Post("http://"+addr+"/healthz", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want the 401 of the handler", resp.StatusCode)
		}
	})
}
