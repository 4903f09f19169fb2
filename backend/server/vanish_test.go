package server

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/httpx"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// blackhole forwards a TCP connection until frozen, then silently swallows
// everything both ways: a viewer whose network vanished without a close.
type blackhole struct {
	ln     net.Listener
	mu     sync.Mutex
	frozen bool
}

func newBlackhole(t *testing.T, target string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			go b.pipe(c, up)
			go b.pipe(up, c)
		}
	}()
	return b
}

func (b *blackhole) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		b.mu.Lock()
		frozen := b.frozen
		b.mu.Unlock()
		if !frozen {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
	}
}

func (b *blackhole) freeze() {
	b.mu.Lock()
	b.frozen = true
	b.mu.Unlock()
}

func TestAViewerThatVanishesWithoutACloseIsDroppedWithinPongWait(t *testing.T) {
	s := startStreamWith(t, smallSettings(), httpx.Limits{PongWait: time.Second})
	bh := newBlackhole(t, s.srv.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+bh.ln.Addr().String()+"/ws?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if n := s.hub.Count(); n != 1 {
		t.Fatalf("%d viewers before, want 1", n)
	}
	bh.freeze()
	start := time.Now()
	for s.hub.Count() != 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("a vanished viewer is still counted after 5 s with a 1 s pong wait")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("dropped after %v", time.Since(start))
}

// TestAViewerThatAcksStaysThoughItsPongsAreLate: on a slow link a ping waits
// behind the frames already sent, so a viewer taking large frames may answer
// it after the pong wait; its acks show it is there, and it must not be
// dropped for a late pong. This viewer never answers pings at all.
func TestAViewerThatAcksStaysThoughItsPongsAreLate(t *testing.T) {
	// Acks keep it only while frames come to ack: on a loaded machine
	// (make test, -race, two cores) the engine's frames can stop for a
	// second, so the pong wait is 3 s, not 1. Without acks counting, the
	// viewer goes after one pong wait, well within the two watched here.
	const pongWait = 3 * time.Second
	s := startStreamWith(t, smallSettings(), httpx.Limits{PongWait: pongWait})
	conn, _, err := websocket.DefaultDialer.Dial(s.wsURL(token), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetPingHandler(func(string) error { return nil }) // the pong never comes
	start := time.Now()
	frames := 0
	for time.Since(start) < 2*pongWait {
		_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("dropped after %v and %d frames, though it acked each: %v", time.Since(start), frames, err)
		}
		if kind != websocket.BinaryMessage {
			continue
		}
		h, _, err := protocol.DecodeFrame(msg)
		if err != nil {
			t.Fatal(err)
		}
		frames++
		if err := conn.WriteJSON(protocol.Ack{Type: "ack", Seq: h.Seq}); err != nil {
			t.Fatal(err)
		}
	}
}
