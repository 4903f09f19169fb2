package client

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// sendAll accepts one connection on a fresh loopback listener and writes n
// bytes to it, then waits for the peer to close. It returns the address.
func sendAll(t *testing.T, n int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := c.Write(make([]byte, n)); err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, c) // until the reader closes
	}()
	return ln.Addr().String()
}

func TestASlowLinkDeliversAtItsRate(t *testing.T) {
	cases := []struct {
		name  string
		bytes int
		bps   int
	}{
		{"256 KiB on a 2 Mbit/s link take about a second", 256 << 10, 2_000_000},
		{"64 KiB on a 500 kbit/s link take about 0.8 s", 64 << 10, 500_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := sendAll(t, c.bytes)
			l, err := dialLink(context.Background(), "tcp", addr, DialOptions{LinkBps: c.bps})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			start := time.Now()
			if _, err := io.ReadFull(l, make([]byte, c.bytes)); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			// The first burst comes at once; the rest at the link's rate.
			want := time.Duration(float64(c.bytes-DefaultLinkBurst) / (float64(c.bps) / 8) * float64(time.Second))
			// Never faster than the link: that would hide what a slow
			// viewer does to the server. Slower only by a bound that a
			// loaded machine's late timers stay within (a 2-core machine
			// running every package's tests made it 3.6 times slower).
			if took < want*8/10 || took > want*5 {
				t.Fatalf("read %d bytes in %v, want %v: no less than 80 %% of it, and no more than 5 times", c.bytes, took, want)
			}
			if got := l.read.Load(); got != int64(c.bytes) {
				t.Fatalf("counted %d bytes read, want %d", got, c.bytes)
			}
		})
	}
}

func TestClosingASlowLinkEndsAReadWaitingForIt(t *testing.T) {
	addr := sendAll(t, 64<<10)
	// 8 kbit/s: once the burst is spent, the next 512 bytes take half a second.
	l, err := dialLink(context.Background(), "tcp", addr, DialOptions{LinkBps: 8000, LinkBurst: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(l, make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(50 * time.Millisecond); l.Close() }()
	start := time.Now()
	_, err = l.Read(make([]byte, 512))
	if !errors.Is(err, errLinkClosed) || time.Since(start) > 300*time.Millisecond {
		t.Fatalf("read after close: %v after %v, want errLinkClosed at once", err, time.Since(start))
	}
}

// frameWith builds a frame message whose header is the JSON hdr.
func frameWith(hdr string, jpegSize int) []byte {
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(hdr)))
	return append(append(msg, hdr...), make([]byte, jpegSize)...)
}

func TestAViewerOnASlowLinkGetsItsFramesAndTheirRendition(t *testing.T) {
	frames := [][]byte{
		frameWith(`{"seq":1,"ts":1,"w":640,"h":360,"rendition":"360p"}`, 20<<10),
		frameWith(`{"seq":2,"ts":2,"w":640,"h":360,"rendition":"360p"}`, 20<<10),
		frameWith(`{"seq":3,"ts":3,"w":1280,"h":720}`, 20<<10),
	}
	query := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query <- r.URL.Query().Get("rendition")
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for _, f := range frames {
			if conn.WriteMessage(websocket.BinaryMessage, f) != nil {
				return
			}
		}
		_, _, _ = conn.ReadMessage() // until the viewer closes
	}))
	defer srv.Close()

	start := time.Now()
	v, err := DialWith(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws?rendition=360p", DialOptions{LinkBps: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if q := <-query; q != "360p" {
		t.Fatalf("server saw rendition %q, want 360p", q)
	}
	want := []string{"360p", "360p", ""}
	for i, w := range want {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("frame %d: %v", i+1, err)
		}
		if m.Rendition != w || m.Frame.Seq != uint64(i+1) {
			t.Fatalf("frame %d: seq %d rendition %q, want %d %q", i+1, m.Frame.Seq, m.Rendition, i+1, w)
		}
	}
	// 60 KiB, less the 16 KiB burst, at 250 kB/s: about 180 ms.
	if took := time.Since(start); took < 140*time.Millisecond {
		t.Fatalf("three 20 KiB frames arrived in %v on a 2 Mbit/s link", took)
	}
	if got, min := v.BytesRead(), int64(3*20<<10); got < min {
		t.Fatalf("BytesRead = %d, want at least the frames' %d", got, min)
	}
}

func TestRenditionReadsTheHeadersField(t *testing.T) {
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		{"a named rendition is read", frameWith(`{"seq":1,"rendition":"360p"}`, 3), "360p"},
		{"a header without one has none", frameWith(`{"seq":1,"w":2}`, 3), ""},
		{"a null rendition is none", frameWith(`{"seq":1,"rendition":null}`, 3), ""},
		{"a rendition that is not a string is shown as its JSON", frameWith(`{"seq":1,"rendition":{"h":360}}`, 3), `{"h":360}`},
		{"the word in the picture is not a rendition", append(frameWith(`{"seq":1}`, 0), `"rendition"`...), ""},
		{"a message shorter than its header has none", frameWith(`{"seq":1,"rendition":"360p"}`, 0)[:10], ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rendition(c.msg); got != c.want {
				t.Fatalf("rendition = %q, want %q", got, c.want)
			}
		})
	}
}
