package encode

import (
	"bytes"
	"image"
	"image/color"
	"strconv"
	"strings"
	"testing"

	"framecast/internal/matcheck"
	"framecast/internal/testclip"

	"gocv.io/x/gocv"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

// scene draws frame n of a moving picture: a gradient and a square
// crossing it, enough for motion to be coded.
func scene(m *gocv.Mat, n int) {
	m.SetTo(gocv.NewScalar(float64(40+n%50), 90, 160, 0))
	w, h := m.Cols(), m.Rows()
	gocv.Rectangle(m, image.Rect((n*7)%w, h/4, (n*7)%w+w/6, h/4+h/3), color.RGBA{240, 220, 30, 0}, -1)
	gocv.PutText(m, strconv.Itoa(n), image.Pt(20, h-20), gocv.FontHersheySimplex, 2, color.RGBA{255, 255, 255, 0}, 3)
}

// nalTypes lists the NAL unit types of an Annex B access unit.
func nalTypes(au []byte) []int {
	var types []int
	for i := 0; i+3 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 {
			types = append(types, int(au[i+3]&0x1f))
			i += 3
		}
	}
	return types
}

func TestFFmpegDecodesEveryFrameAndKeyframesComeOnRequest(t *testing.T) {
	const w, h, frames = 641, 361, 90 // odd: cut to 640x360
	enc, err := NewH264(H264Config{Width: w, Height: h, FPS: 30, Bitrate: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	frame := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer frame.Close()
	var stream bytes.Buffer
	keys := []int{}
	for n := range frames {
		if n == 45 {
			enc.RequestKey()
		}
		scene(&frame, n)
		au, key, err := enc.Encode(frame)
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		types := nalTypes(au)
		if key {
			keys = append(keys, n)
			if len(types) < 3 || types[0] != 7 || types[1] != 8 || types[len(types)-1] != 5 {
				t.Fatalf("keyframe %d has NAL units %v, want SPS (7), PPS (8), then IDR (5)", n, types)
			}
		} else if len(types) != 1 || types[0] != 1 {
			t.Fatalf("frame %d has NAL units %v, want one non-IDR slice (1)", n, types)
		}
		stream.Write(au)
	}
	// The first frame, the one asked for; the next would come two seconds
	// (60 frames) after it, past the end.
	if len(keys) != 2 || keys[0] != 0 || keys[1] != 45 {
		t.Fatalf("keyframes at %v, want 0 and 45 (asked for)", keys)
	}
	// Every frame decodes; the colours are said (BT.601, limited range, as
	// OpenCV converts), so a browser does not guess BT.709 for them.
	got := testclip.ProbeH264(t, stream.Bytes())
	want := map[string]string{"codec_name": "h264", "profile": "Constrained Baseline", "width": "640", "height": "360",
		"nb_read_frames": strconv.Itoa(frames), "color_space": "smpte170m", "color_range": "tv", "color_primaries": "smpte170m"}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("ffprobe says %s=%s, want %s (all: %v)", k, got[k], v, got)
		}
	}
}

func TestAFrameOfAnotherSizeIsRefused(t *testing.T) {
	enc, err := NewH264(H264Config{Width: 320, Height: 180, Bitrate: 300_000})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	frame := gocv.NewMatWithSize(240, 320, gocv.MatTypeCV8UC3)
	defer frame.Close()
	if _, _, err := enc.Encode(frame); err == nil || !strings.Contains(err.Error(), "320x240 frame given to a 320x180 encoder") {
		t.Fatalf("got %v", err)
	}
}

// refIdc is the nal_ref_idc of an access unit's last NAL unit (its slice).
func refIdc(au []byte) int {
	idc := -1
	for i := 0; i+3 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 {
			idc = int(au[i+3]>>5) & 3
			i += 3
		}
	}
	return idc
}

func TestEveryOtherFrameIsOneNoneRefersToAndTheRestDecodeWithoutThem(t *testing.T) {
	const w, h, frames = 320, 180, 90
	for _, layers := range []int{1, 2} {
		enc, err := NewH264(H264Config{Width: w, Height: h, FPS: 30, Bitrate: 300_000, TemporalLayers: layers})
		if err != nil {
			t.Fatal(err)
		}
		frame := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
		var all, kept bytes.Buffer
		disposable, sinceKey := 0, 0
		for n := range frames {
			if n == 31 {
				enc.RequestKey() // at an odd frame: the layers start again from it
			}
			scene(&frame, n)
			au, key, err := enc.Encode(frame)
			if err != nil {
				t.Fatal(err)
			}
			if key {
				sinceKey = 0
			}
			none := refIdc(au) == 0
			if want := layers == 2 && sinceKey%2 == 1; none != want {
				t.Fatalf("%d layers, frame %d (%d after a keyframe): nal_ref_idc 0 is %v", layers, n, sinceKey, none)
			}
			sinceKey++
			all.Write(au)
			if none {
				disposable++
				continue
			}
			kept.Write(au)
		}
		frame.Close()
		enc.Close()
		if got := testclip.ProbeH264(t, all.Bytes()); got["nb_read_frames"] != strconv.Itoa(frames) {
			t.Fatalf("%d layers: ffprobe says %v of all %d frames", layers, got, frames)
		}
		if layers == 2 {
			// The frames others refer to, alone: a viewer at half the rate.
			if got := testclip.ProbeH264(t, kept.Bytes()); disposable < frames/2-1 || got["nb_read_frames"] != strconv.Itoa(frames-disposable) {
				t.Fatalf("ffprobe says %v of the %d frames left when the %d no frame refers to are skipped", got, frames-disposable, disposable)
			}
		}
	}
}
