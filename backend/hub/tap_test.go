package hub

import (
	"testing"
	"time"
)

func TestATapGetsEveryFrameOfItsKeyAndIsNoViewer(t *testing.T) {
	h := New()
	slow := h.Subscribe("ws", "viewer", "") // never takes its frames
	defer h.Unsubscribe(slow)
	changed := h.Changed()
	var got []uint64
	untap := h.Tap("", func(f *Frame) { got = append(got, f.Header.Seq) })
	select {
	case <-changed:
	default:
		t.Fatal("a new tap does not wake a producer waiting for takers")
	}
	other := frame(t, 99)
	other.Rendition = "360p"
	h.Publish(other)
	for seq := uint64(1); seq <= 5; seq++ {
		h.Publish(frame(t, seq))
	}
	if len(got) != 5 || got[0] != 1 || got[4] != 5 {
		t.Fatalf("the tap got seqs %v, want 1 to 5 (and nothing of another key)", got)
	}
	if slow.Drops() != 4 {
		t.Fatalf("the viewer skipped %d frames, want 4: the tap must not change a viewer's newest-wins", slow.Drops())
	}
	if h.Count() != 1 || len(h.Viewers(time.Now())) != 1 {
		t.Fatalf("count %d: the tap must not count as a viewer", h.Count())
	}
	h.Unsubscribe(slow)
	if !h.Busy() || !h.Taken()[""] || !h.Tapped()[""] {
		t.Fatal("with only a tap the hub must be busy and its key taken")
	}
	untap()
	untap()
	h.Publish(frame(t, 6))
	if len(got) != 5 || h.Busy() || h.Taken()[""] {
		t.Fatalf("after untap: got %v, busy %v", got, h.Busy())
	}
}
