package httpx

import (
	"bufio"
	"framecast/internal/testnet"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestIdlePlainHTTPConnectionsAreClosedButWebSocketsAreNot(t *testing.T) {
	const short = 300 * time.Millisecond
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for { // echo until the client goes
			kind, msg, err := conn.ReadMessage()
			if err != nil || conn.WriteMessage(kind, msg) != nil {
				return
			}
		}
	})
	srv := newHTTPServer(mux, slog.New(slog.DiscardHandler), nil, httpTimeouts{header: short, idle: short})
	// Listen's own listener, so that nothing it adds cuts a WebSocket either.
	ln, err := Listen("127.0.0.1:0", nil, Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a connection that never sends a request is closed after the header timeout", func(t *testing.T) {
			if c := dial(t); !testnet.ClosedByPeer(c, 10*short) {
				t.Fatal("still open")
			}
		}},
		{"a connection that stops halfway through its headers is closed after the header timeout", func(t *testing.T) {
			c := dial(t)
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil {
				t.Fatal(err)
			}
			if !testnet.ClosedByPeer(c, 10*short) {
				t.Fatal("still open")
			}
		}},
		{"a kept-alive connection with no next request is closed after the idle timeout", func(t *testing.T) {
			c := dial(t)
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.Close || string(body) != "ok" {
				t.Fatalf("first request: %q, close %v; want ok on a kept-alive connection", body, resp.Close)
			}
			if !testnet.ClosedByPeer(c, 10*short) {
				t.Fatal("still open")
			}
		}},
		{"a WebSocket outlives both timeouts", func(t *testing.T) {
			conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Nothing happens here to wait for: the point is that nothing does.
			time.Sleep(4 * short)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if err := conn.WriteMessage(websocket.TextMessage, []byte("still there?")); err != nil {
				t.Fatal(err)
			}
			if _, msg, err := conn.ReadMessage(); err != nil || string(msg) != "still there?" {
				t.Fatalf("after %v quiet: %q, %v", 4*short, msg, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
