package hub

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestADirectViewerIsWrittenToAndItsMailboxStaysEmpty(t *testing.T) {
	h := New()
	s := h.Subscribe("ws", "a", "")
	plain := h.Subscribe("ws", "b", "")
	written := make(chan uint64, 1)
	var accept atomic.Bool
	accept.Store(true)
	s.SetDirect(func(f *Frame) bool {
		if !accept.Load() {
			return false
		}
		written <- f.Header.Seq
		return true
	})
	h.Publish(frame(t, 1))
	if f := plain.TakeFrame(); f == nil || f.Header.Seq != 1 {
		t.Fatalf("a viewer not written to directly has %v in its mailbox when Publish returns, want frame 1", f)
	}
	if seq := await(t, written); seq != 1 || s.TakeFrame() != nil {
		t.Fatalf("written frame %d, or the mailbox is not empty: want frame 1 written directly", seq)
	}
	accept.Store(false) // the viewer's writer is busy, or its socket full
	h.Publish(frame(t, 2))
	await(t, s.Wake())
	if f := s.TakeFrame(); f == nil || f.Header.Seq != 2 {
		t.Fatalf("a frame not written directly is in the mailbox: got %v", f)
	}
	if s.Drops() != 0 {
		t.Fatalf("drops = %d, want 0", s.Drops())
	}
}

func await[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("nothing came in 5 s")
		panic("unreachable")
	}
}

func TestEveryViewerOfAFanOutGetsFramesOnceInOrderAndTheLast(t *testing.T) {
	h := New()
	const viewers, last = 5*fanOutShare + 3, 200 // split over several goroutines
	var mu sync.Mutex
	got := make(map[*Subscriber][]uint64)
	done := make(chan struct{}, viewers)
	for range viewers {
		s := h.Subscribe("ws", "a", "")
		s.SetDirect(func(f *Frame) bool {
			mu.Lock()
			defer mu.Unlock()
			got[s] = append(got[s], f.Header.Seq)
			if f.Header.Seq == last {
				done <- struct{}{}
			}
			return true
		})
	}
	for seq := uint64(1); seq <= last; seq++ {
		h.Publish(frame(t, seq))
	}
	for range viewers {
		await(t, done)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, seqs := range got {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Fatalf("a viewer got frames in the order %v", seqs)
			}
		}
	}
}
