package record

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"os/exec"
	"strconv"
	"strings"
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

// probed is what ffprobe says of a file's first video stream.
type probed struct {
	Codec    string
	W, H     int
	Frames   int
	Duration time.Duration
}

// ffprobe fails the test unless ffmpeg decodes every frame of the file
// without an error, and returns what ffprobe says of it.
func ffprobe(t testing.TB, path string) probed {
	t.Helper()
	// The null muxer's time base is the frame rate's unless told; a
	// recording's frames come when they come.
	if out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", path, "-enc_time_base", "-1", "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg decoding %s: %v\n%s", path, err, out)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	last := int64(-1)
	for line := range strings.Lines(string(out)) {
		dts, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		if err != nil || dts <= last {
			t.Fatalf("%s: packet dts %q after %d", path, strings.TrimSpace(line), last)
		}
		last = dts
	}
	out, err = exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			Frames    string `json:"nb_read_frames"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &p); err != nil || len(p.Streams) != 1 {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	s := p.Streams[0]
	frames, _ := strconv.Atoi(s.Frames)
	secs, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil {
		t.Fatalf("ffprobe %s: duration %q", path, p.Format.Duration)
	}
	return probed{Codec: s.CodecName, W: s.Width, H: s.Height, Frames: frames, Duration: time.Duration(secs * float64(time.Second))}
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
