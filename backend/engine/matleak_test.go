//go:build matprofile

package engine

import (
	"testing"

	"framecast/backend/protocol"
	"framecast/backend/vision"
	"framecast/internal/matcheck"
)

// Built only with -tags matprofile (make test), where gocv counts Mats.
func TestNoMatLeaksOverHundredsOfFrames(t *testing.T) {
	base := matcheck.Count()
	var err error
	e, h := start(t, small(), Deps{})
	s := h.Subscribe("test", "", "")
	for i := 0; i < 300; i++ {
		next(t, s)
	}
	set := small()
	set.MaxWidth = 100
	for _, chain := range []string{"gray,blur,canny", "faces,motion,overlay,clock", ""} {
		if set.Process, err = vision.ParseChain(chain); err != nil {
			t.Fatal(err)
		}
		if err := e.Update(set); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			next(t, s)
		}
	}
	h.Unsubscribe(s)
	e.Close()
	if n := matcheck.Count() - base; n != 0 {
		t.Fatalf("%d Mats left open after 450 frames, three chains and Close", n)
	}
}

func TestNoMatLeaksAcrossRenditionChanges(t *testing.T) {
	base := matcheck.Count()
	e, h := start(t, small(), Deps{Renditions: []protocol.Rendition{{Name: "90p", W: 160, H: 90, Quality: 50}, {Name: "45p", W: 80, H: 45, Quality: 40}}})
	s := h.Subscribe("test", "", "")
	for _, r := range []string{"90p", "45p", "", "90p", ""} {
		s.SetRendition(r)
		for i := 0; i < 30; i++ {
			if f := next(t, s); f.Rendition != r {
				i-- // a frame of the rendition before the change
			}
		}
	}
	h.Unsubscribe(s)
	e.Close()
	if n := matcheck.Count() - base; n != 0 {
		t.Fatalf("%d Mats left open after rendition changes and Close", n)
	}
}
