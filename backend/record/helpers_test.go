package record

import (
	"fmt"
	"image"
	"image/color"
	"strconv"
	"sync"
	"testing"
	"time"

	"framecast/backend/encode"
	"framecast/backend/protocol"
	"framecast/internal/matcheck"

	"gocv.io/x/gocv"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

// unit is one encoded access unit.
type unit struct {
	au  []byte
	key bool
}

var (
	encodedMu sync.Mutex
	encodedBy = map[string][]unit{}
)

// encoded returns n frames (n a multiple of 60) of a moving picture, w×h,
// as OpenH264 makes them at 30 fps with a keyframe every 2 s; made once
// per size and count.
func encoded(t testing.TB, w, h, n int) []unit {
	t.Helper()
	encodedMu.Lock()
	defer encodedMu.Unlock()
	id := fmt.Sprint(w, h, n)
	if u, ok := encodedBy[id]; ok {
		return u
	}
	enc, err := encode.NewH264(encode.H264Config{Width: w, Height: h, FPS: 30, Bitrate: w * h * 2, KeyEvery: 60})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer m.Close()
	units := make([]unit, n)
	for i := range units {
		m.SetTo(gocv.NewScalar(float64(40+i%50), 90, 160, 0))
		x := (i * 7) % w
		gocv.Rectangle(&m, image.Rect(x, h/4, x+w/6, h/4+h/3), color.RGBA{240, 220, 30, 0}, -1)
		gocv.PutText(&m, strconv.Itoa(i), image.Pt(10, h-10), gocv.FontHersheySimplex, 1, color.RGBA{255, 255, 255, 0}, 2)
		au, key, err := enc.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if key != (i%60 == 0) {
			t.Fatalf("frame %d: key %v", i, key)
		}
		units[i] = unit{au: append([]byte(nil), au...), key: key}
	}
	encodedBy[id] = units
	return units
}

// frameTime is frame i's capture time: 30 fps from t0.
func frameTime(t0 time.Time, i int) time.Time {
	return t0.Add(time.Duration(i) * time.Second / 30)
}

// feed writes frames from..to-1 of a stream captured at 30 fps from t0,
// the units repeating, waiting whenever the recorder's queue is half full
// so that nothing is skipped.
func feed(r *Recorder, units []unit, w, h int, t0 time.Time, from, to int, dets func(i int) []protocol.Detection) {
	for i := from; i < to; i++ {
		for len(r.queue) > queueFrames/2 {
			time.Sleep(time.Millisecond)
		}
		u := units[i%len(units)]
		hd := protocol.Header{TS: frameTime(t0, i).UnixMicro(), W: w, H: h, Key: u.key, Codec: protocol.CodecH264}
		if dets != nil {
			hd.Detections = dets(i)
		}
		r.Write(hd, u.au)
	}
}

// openStore opens a store in a temporary folder with the options given.
func openStore(t testing.TB, o Options) *Store {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// t0 is a capture time tests start at.
var t0 = time.Date(2026, 12, 6, 14, 3, 5, 123456000, time.UTC)

const frameDur = time.Second / 30

func within(got, want, tol time.Duration) bool {
	d := got - want
	return d >= -tol && d <= tol
}
