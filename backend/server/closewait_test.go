package server

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// handlerGoroutines lists the goroutines that run a viewer's handler or
// pumps.
func handlerGoroutines() []string {
	buf := make([]byte, 1<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "server.(*Handler).serveWS") || strings.Contains(g, "server.(*wsViewer)") {
			out = append(out, g)
		}
	}
	return out
}

// blockedInWrite reports whether a viewer's writePump waits on its socket.
func blockedInWrite() bool {
	for _, g := range handlerGoroutines() {
		if strings.Contains(g, "wsViewer).writePump") && strings.Contains(g, "internal/poll.(*FD).Write") {
			return true
		}
	}
	return false
}

func TestCloseReturnsOnlyOnceEveryViewerHandlerHas(t *testing.T) {
	big := smallSettings() // big frames fill the stalled viewer's socket soon
	big.MaxWidth, big.MaxHeight, big.Quality = 1280, 720, 95
	s := startStream(t, big)
	for range 3 {
		v := s.dial(t) // reads its frames in the background
		defer v.Close()
	}
	// An old-style page that stopped reading, on a tiny receive buffer:
	// with no acks to pace it, its handler ends up blocked in a write.
	small := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			err = c.(*net.TCPConn).SetReadBuffer(4 << 10)
		}
		return c, err
	}}
	stalled, _, err := small.Dial(s.wsURL(token)+"&format=dataurl", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	deadline := time.Now().Add(15 * time.Second)
	for !blockedInWrite() {
		if time.Now().After(deadline) {
			t.Fatal("the stalled viewer's handler never blocked in a write")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(handlerGoroutines()); n == 0 {
		t.Fatal("no viewer handlers running before Close: the check below could not fail")
	}
	start := time.Now()
	s.srv.Close()
	if left := handlerGoroutines(); len(left) > 0 {
		t.Fatalf("Close returned with %d viewer goroutines still running:\n%s", len(left), left[0])
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Close took %v", took)
	}
}
