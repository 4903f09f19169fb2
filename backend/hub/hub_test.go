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
	if f.Data[2] != 7 {
		t.Fatal("frame aliases the caller's buffer; it must copy")
	}
}

func TestMailboxKeepsNewestAndCountsDrops(t *testing.T) {
	h := New()
	slow := h.Subscribe("ws", "slow", "")
	fast := h.Subscribe("ws", "fast", "")
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
	s := h.Subscribe("ws", "a", "")
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
	s := h.Subscribe("ws", "a", "")
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
		h.Subscribe("ws", "stalled", "")
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

func TestMetadataKeepsTheNewestValuePerKeyInTheOrderSent(t *testing.T) {
	h := New()
	h.PublishMeta(Meta{Key: "title", Value: "line 1"})
	late := func() []Meta { return h.SubscribeMeta("legacy", "late").TakeMeta() }
	plain := h.Subscribe("ws", "plain", "")
	slow := h.SubscribeMeta("legacy", "slow")
	_ = slow.TakeMeta()
	h.PublishMeta(Meta{Key: "a1", Value: "[1]", After: 1})
	h.PublishMeta(Meta{Key: "a2", Value: "x", After: 1})
	h.PublishMeta(Meta{Key: "a1", Value: "[2]", After: 2})
	got := slow.TakeMeta()
	if len(got) != 2 || got[0].Key != "a2" || got[1].Key != "a1" || got[1].Value != "[2]" || got[1].After != 2 {
		t.Fatalf("slow viewer got %+v, want a2 then a1=[2] (the newest a1, where it was sent)", got)
	}
	if again := slow.TakeMeta(); again != nil {
		t.Fatalf("taken values came again: %+v", again)
	}
	if m := plain.TakeMeta(); m != nil {
		t.Fatalf("a viewer that takes no metadata got %+v", m)
	}
	if got := late(); len(got) != 3 || got[0].Key != "title" {
		t.Fatalf("a viewer that joined late got %+v, want every key's value, oldest first", got)
	}
	h.ResetMeta()
	if got := late(); len(got) != 0 {
		t.Fatalf("after a reset a new viewer got %+v", got)
	}
}

func TestTotalsCountFramesAndBytesSent(t *testing.T) {
	h := New()
	s := h.Subscribe("ws", "a", "")
	for seq := uint64(1); seq <= 3; seq++ {
		h.Publish(frame(t, seq))
		if f := s.TakeFrame(); f != nil {
			s.Delivered(time.Now(), len(f.Data))
		}
	}
	h.Publish(frame(t, 4))
	h.Publish(frame(t, 5)) // replaces 4 unseen: one drop
	if got := h.Totals(); got.FramesSent != 3 || got.BytesSent != 15 || got.Drops != 1 {
		t.Fatalf("totals %+v, want 3 frames, 15 bytes, 1 drop", got)
	}
}

func TestTakenListsEveryRenditionWatchedFullSizeIncluded(t *testing.T) {
	h := New()
	if got := h.Taken(); len(got) != 0 {
		t.Fatalf("with no viewers Taken = %v, want nothing", got)
	}
	full := h.Subscribe("ws", "full", "")
	small := h.Subscribe("ws", "small", "240p")
	if got := h.Taken(); len(got) != 2 || !got[""] || !got["240p"] {
		t.Fatalf("Taken = %v, want the own size and 240p", got)
	}
	full.SetRendition("360p") // moved down by its adapter
	h.Unsubscribe(small)
	if got := h.Taken(); len(got) != 1 || !got["360p"] {
		t.Fatalf("after the moves Taken = %v, want 360p alone", got)
	}
}
