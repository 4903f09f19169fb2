package engine

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"framecast/backend/vision"

	"gocv.io/x/gocv"
)

var facePhoto = filepath.Join("..", "vision", "testdata", "face.jpg")

func TestDetectionsTravelWithTheirFrameInItsCoordinates(t *testing.T) {
	full := Settings{Source: facePhoto, Quality: 80, FPS: 30, Enabled: true, Process: []vision.Item{{Name: "faces"}}}
	half := full
	half.MaxWidth, half.MaxHeight = 320, 240
	box := func(s Settings) [4]int {
		_, h := start(t, s, Deps{})
		sub := h.Subscribe("test", "", "")
		defer h.Unsubscribe(sub)
		f := next(t, sub)
		if len(f.Header.Detections) == 0 || len(f.Header.Proc) != 1 || f.Header.Proc[0].Name != "faces" {
			t.Fatalf("header %+v, want a face and the faces time", f.Header)
		}
		return f.Header.Detections[0].Box
	}
	a, b := box(full), box(half)
	for i := range a {
		if d := a[i]/2 - b[i]; d < -2 || d > 2 {
			t.Fatalf("box at 640x480 %v, at 320x240 %v: want half", a, b)
		}
	}
}

// isGray reports whether a decoded frame has equal channels throughout.
func isGray(t *testing.T, jpeg []byte) bool {
	t.Helper()
	m, err := gocv.IMDecode(jpeg, gocv.IMReadColor)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for y := 0; y < m.Rows(); y += 17 {
		for x := 0; x < m.Cols(); x += 13 {
			v := m.GetVecbAt(y, x)
			if d := int(v[0]) - int(v[2]); d > 12 || d < -12 {
				return false
			}
		}
	}
	return true
}

func TestTheChainChangesAtRunTimeAndABadOneIsRefused(t *testing.T) {
	e, h := start(t, small(), Deps{})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	if isGray(t, next(t, s).Data) {
		t.Fatal("the colour bars came out gray with no chain")
	}
	set := small()
	set.Process = []vision.Item{{Name: "gray"}}
	if err := e.Update(set); err != nil {
		t.Fatal(err)
	}
	next(t, s)
	if !isGray(t, next(t, s).Data) {
		t.Fatal("frames are not gray after adding gray")
	}
	bad := set
	bad.Process = []vision.Item{{Name: "blur", Params: map[string]float64{"size": -3}}}
	if err := e.Update(bad); err == nil || !strings.Contains(err.Error(), "blur size -3") {
		t.Fatalf("err = %v, want the blur size refused", err)
	}
	if got := e.Settings().Process; !reflect.DeepEqual(got, set.Process) {
		t.Fatalf("chain after a refused change is %+v", got)
	}
	next(t, s)
	if !isGray(t, next(t, s).Data) {
		t.Fatal("a refused chain changed the running one")
	}
	if st := e.Stats(); len(st.Chain) != 1 || st.Chain[0].Name != "gray" || st.Chain[0].Ms <= 0 {
		t.Fatalf("stats chain %+v, want gray's cost", st.Chain)
	}
}

func TestSlowProcessingSkipsFramesInsteadOfQueueing(t *testing.T) {
	set := Settings{Source: "test", Quality: 50, MaxWidth: 1280, MaxHeight: 720, FPS: 60, Enabled: true,
		Process: []vision.Item{{Name: "faces", Params: map[string]float64{"detectWidth": 1920}}, {Name: "blur", Params: map[string]float64{"size": 31}}}}
	e, h := start(t, set, Deps{})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	// Read frames until some were skipped, and at least enough that a queue
	// would show: each queued frame would be older than the one before.
	const frames = 15
	var worst, slowest time.Duration // oldest frame on arrival; longest wait between two frames
	prev := next(t, s)
	prevAt := time.Now()
	deadline := time.Now().Add(20 * time.Second)
	for n := 1; n < frames || e.Stats().Skipped == 0; n++ {
		if time.Now().After(deadline) {
			t.Fatalf("nothing skipped in %d frames with a chain slower than the source: %+v", n, e.Stats())
		}
		f := next(t, s)
		now := time.Now()
		if f.Header.Seq <= prev.Header.Seq {
			t.Fatalf("seq %d after %d", f.Header.Seq, prev.Header.Seq)
		}
		if age := now.Sub(time.UnixMicro(f.Header.TS)); age > worst {
			worst = age
		}
		slowest = max(slowest, now.Sub(prevAt))
		prev, prevAt = f, now
	}
	st := e.Stats()
	if st.Captured <= st.Encoded {
		t.Fatalf("%d frames captured for %d encoded: capture waited for processing", st.Captured, st.Encoded)
	}
	// The newest-frame slot keeps each frame within about two processing
	// times of capture (one waiting in the slot, one being processed); a
	// queue would make the frames older and older. The bound follows the
	// processing time this machine shows, so a slow machine is no failure.
	if limit := max(time.Second, 3*slowest); worst > limit {
		t.Fatalf("a frame arrived %v after capture, over %v (frames %v apart at most): frames are queueing", worst, limit, slowest)
	}
}
