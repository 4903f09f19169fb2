package hub

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

func TestADirectViewerIsWrittenToAndItsMailboxStaysEmpty(t *testing.T) {
	h := New()
	s := h.Subscribe("ws", "a")
	var got []uint64
	accept := true
	s.SetDirect(func(f *Frame) bool {
		if accept {
			got = append(got, f.Header.Seq)
		}
		return accept
	})
	h.Publish(frame(t, 1))
	if len(got) != 1 || got[0] != 1 || s.TakeFrame() != nil {
		t.Fatalf("written %v, mailbox not empty: want frame 1 written directly", got)
	}
	accept = false // the viewer's writer is busy, or the socket full
	h.Publish(frame(t, 2))
	if f := s.TakeFrame(); f == nil || f.Header.Seq != 2 {
		t.Fatalf("a frame not written directly is in the mailbox: got %v", f)
	}
	if s.Drops() != 0 {
		t.Fatalf("drops = %d, want 0", s.Drops())
	}
}

func TestEveryViewerOfAFanOutGetsEachFrameOnceAndInOrder(t *testing.T) {
	h := New()
	const viewers = 5*fanOutShare + 3 // split over several goroutines
	var mu sync.Mutex
	got := make(map[*Subscriber][]uint64)
	for range viewers {
		s := h.Subscribe("ws", "a")
		s.SetDirect(func(f *Frame) bool {
			mu.Lock()
			defer mu.Unlock()
			got[s] = append(got[s], f.Header.Seq)
			return true
		})
	}
	for seq := uint64(1); seq <= 20; seq++ {
		h.Publish(frame(t, seq))
	}
	if len(got) != viewers {
		t.Fatalf("%d viewers were written to, want %d", len(got), viewers)
	}
	for _, seqs := range got {
		if len(seqs) != 20 {
			t.Fatalf("a viewer got %d frames, want 20", len(seqs))
		}
		for i, seq := range seqs {
			if seq != uint64(i+1) {
				t.Fatalf("a viewer got frames in the order %v", seqs)
			}
		}
	}
}

func TestFramedIsAWebSocketFrameAClientReads(t *testing.T) {
	sizes := []int{10, 125, 126, 65535, 65536, 200000} // each length encoding, both sides of its edge
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for _, n := range sizes {
			if _, err := conn.UnderlyingConn().Write(wsFrame(bytes.Repeat([]byte{byte(n)}, n))); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, n := range sizes {
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("payload of %d bytes: %v", n, err)
		}
		if kind != websocket.BinaryMessage || !bytes.Equal(msg, bytes.Repeat([]byte{byte(n)}, n)) {
			t.Fatalf("payload of %d bytes: read a message of type %d and %d bytes", n, kind, len(msg))
		}
	}
}
