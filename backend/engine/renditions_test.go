package engine

import (
	"testing"

	"framecast/backend/protocol"
)

func TestViewersOfOnlySmallerCopiesCostNoOwnSizeJPEG(t *testing.T) {
	s := small()
	s.MaxWidth, s.MaxHeight = 1280, 720
	e, h := start(t, s, Deps{Renditions: protocol.DefaultRenditions()})
	// A grid's tiles: every viewer on 360p.
	tile := h.Subscribe("test", "", "360p")
	defer h.Unsubscribe(tile)
	for range 10 {
		if f := next(t, tile); f.Header.W != 640 || f.Header.H != 360 {
			t.Fatalf("a 360p viewer got %dx%d", f.Header.W, f.Header.H)
		}
	}
	if f := h.Latest(""); f != nil {
		t.Fatalf("the own size was encoded (seq %d) with no viewer taking it", f.Header.Seq)
	}
	if st := e.Stats(); st.FrameBytes == 0 || st.EncodeMs == 0 || st.FrameRendition != "360p" {
		t.Errorf("figures without an own-size frame: %d bytes, %.1f ms, of %q; want the 360p copy's", st.FrameBytes, st.EncodeMs, st.FrameRendition)
	}
	// A viewer of the own size comes: it is encoded again.
	full := h.Subscribe("test", "", "")
	defer h.Unsubscribe(full)
	if f := next(t, full); f.Header.W != 1280 {
		t.Fatalf("the own-size viewer got %dx%d", f.Header.W, f.Header.H)
	}
	next(t, full)
	if st := e.Stats(); st.FrameRendition != "" {
		t.Errorf("with the own size taken the figures are of %q", st.FrameRendition)
	}
}
