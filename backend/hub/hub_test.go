package hub

import (
	"testing"
	"time"

	"framecast/backend/protocol"
)

func frame(t *testing.T, seq uint64) *Frame {
	t.Helper()
	f, err := NewFrame(protocol.Header{Seq: seq, TS: time.Now().UnixMicro(), W: 2, H: 2}, []byte{0xFF, 0xD8, byte(seq), 0xFF, 0xD9})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewFrameSharesOneWireBuffer(t *testing.T) {
	jpeg := []byte{0xFF, 0xD8, 7, 0xFF, 0xD9}
	f, err := NewFrame(protocol.Header{Seq: 1}, jpeg)
	if err != nil {
		t.Fatal(err)
	}
	jpeg[2] = 99 // the caller's buffer may be reused after NewFrame
	if f.JPEG[2] != 7 {
		t.Fatal("frame aliases the caller's buffer; it must copy")
	}
}

func TestMailboxKeepsNewestAndCountsDrops(t *testing.T) {
	h := New()
	slow := h.Subscribe("ws", "slow")
	fast := h.Subscribe("ws", "fast")
	for seq := uint64(1); seq <= 10; seq++ {
		h.Publish(frame(t, seq))
		if f := fast.TakeFrame(); f == nil || f.Header.Seq != seq {
			t.Fatalf("fast viewer got %v, want seq %d", f, seq)
		}
	}
	f := slow.TakeFrame()
	if f == nil || f.Header.Seq != 10 {
		t.Fatalf("slow viewer got %+v, want only the newest frame 10", f)
	}
	if got := slow.Stats(time.Now()).Drops; got != 9 {
		t.Fatalf("slow viewer drops = %d, want 9", got)
	}
	if got := fast.Stats(time.Now()).Drops; got != 0 {
		t.Fatalf("fast viewer drops = %d, want 0", got)
	}
	if slow.TakeFrame() != nil {
		t.Fatal("mailbox should be empty after a take")
	}
}

func TestChangedFiresOnSubscribeAndUnsubscribe(t *testing.T) {
	h := New()
	ch := h.Changed()
	s := h.Subscribe("ws", "a")
	select {
	case <-ch:
	default:
		t.Fatal("Changed not closed after Subscribe")
	}
	ch = h.Changed()
	h.Unsubscribe(s)
	h.Unsubscribe(s)
	select {
	case <-ch:
	default:
		t.Fatal("Changed not closed after Unsubscribe")
	}
	if h.Count() != 0 {
		t.Fatalf("Count = %d, want 0", h.Count())
	}
}

func TestStatusReachesViewersOnlyWhenItChanges(t *testing.T) {
	h := New()
	s := h.Subscribe("ws", "a")
	h.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: "camera:0"})
	st := s.TakeStatus()
	if st == nil || st.State != protocol.StateNoSignal || st.Type != "status" {
		t.Fatalf("status = %+v, want no-signal", st)
	}
	h.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: "camera:0"})
	if st := s.TakeStatus(); st != nil {
		t.Fatalf("unchanged status was sent again: %+v", st)
	}
}

func TestPublishNeverBlocksOnAViewerThatNeverReads(t *testing.T) {
	h := New()
	for i := 0; i < 100; i++ {
		h.Subscribe("ws", "stalled")
	}
	done := make(chan struct{})
	go func() {
		for seq := uint64(1); seq <= 1000; seq++ {
			h.Publish(frame(t, seq))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on viewers that never take frames")
	}
}
