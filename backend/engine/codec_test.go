package engine

import (
	"strings"
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/source"
	"framecast/internal/testnet"

	"gocv.io/x/gocv"
)

func TestCodecAndBitrateAreCheckedWithReasons(t *testing.T) {
	cases := []struct {
		name    string
		codec   string
		bitrate int
		err     string // "" for none
	}{
		{"auto and the automatic bitrate are the defaults", CodecAuto, 0, ""},
		{"JPEG only is a choice", CodecJPEG, 0, ""},
		{"no codec is auto, as in settings from before the choice", "", 0, ""},
		{"2 Mbit/s is a bitrate", CodecAuto, 2_000_000, ""},
		{"the bounds are bitrates", CodecAuto, MinBitrate, ""},
		{"100 Mbit/s is the most", CodecAuto, MaxBitrate, ""},
		{"h264 alone is not a choice: auto gives it where it can be decoded", "h264", 0, "codec \"h264\": must be auto or jpeg"},
		{"an unknown codec is refused", "vp9", 0, "codec \"vp9\""},
		{"a bitrate below 50 kbit/s is refused", CodecAuto, MinBitrate - 1, "from 50 kbit/s to 100 Mbit/s"},
		{"a bitrate above 100 Mbit/s is refused", CodecAuto, MaxBitrate + 1, "bitrate 100000001 bit/s"},
		{"a negative bitrate is refused", CodecAuto, -1, "bitrate -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Codec, s.Bitrate = c.codec, c.bitrate
			ch, err := s.check()
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if want := map[string]string{"": CodecAuto}[c.codec]; want != "" && ch.Codec != want {
					t.Fatalf("codec in force %q, want %q", ch.Codec, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want one with %q", err, c.err)
			}
		})
	}
}

func TestTheBitrateSettingIsTheOwnSizesAndRenditionsGetTheirShare(t *testing.T) {
	cases := []struct {
		name                      string
		bitrate, w, h, ownW, ownH int
		want                      int
	}{
		{"auto is 0.07 bit a pixel a frame", 0, 1280, 720, 1280, 720, 1935360},
		{"auto for a rendition is the same rule at its size", 0, 640, 360, 1280, 720, 483840},
		{"the setting is the own size's", 3_000_000, 1280, 720, 1280, 720, 3_000_000},
		{"a rendition of a quarter of the pixels gets a quarter", 3_000_000, 640, 360, 1280, 720, 750_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := h264Bitrate(c.bitrate, c.w, c.h, c.ownW, c.ownH, 30, false); got != c.want {
				t.Fatalf("got %d, want %d", got, c.want)
			}
		})
	}
}

func TestJPEGOnlyStopsTheH264EncoderAndAutoStartsItAgainAtAKeyframe(t *testing.T) {
	s := Settings{Source: "test", Quality: 80, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true}
	e, h := start(t, s, Deps{})
	key := hub.CodecKey("", protocol.CodecH264)
	frames, upTo := collect(t, h, key, 5)
	jpeg, _ := collect(t, h, "", 1)
	testnet.WaitFor(t, 10*time.Second, "H.264 bitrate in the stats", func() bool { return e.Stats().H264Bitrate > 0 })
	if !e.H264() {
		t.Fatal("H264() is false under auto")
	}

	s.Codec = CodecJPEG
	if err := e.Update(s); err != nil {
		t.Fatal(err)
	}
	if e.H264() {
		t.Fatal("H264() is true under JPEG only")
	}
	// Frames already past the codec check may still come: the last H.264
	// frame comes before the second JPEG frame encoded after the switch.
	n := len(jpeg())
	testnet.WaitFor(t, 10*time.Second, "JPEG frame after the switch", func() bool { return len(jpeg()) >= n+2 })
	before := len(frames())
	testnet.WaitFor(t, 10*time.Second, "10 more JPEG frames", func() bool { return len(jpeg()) >= n+12 })
	if got := len(frames()); got != before {
		t.Fatalf("%d H.264 frames made under JPEG only though a viewer takes H.264", got-before)
	}
	// The meter forgets what it counted 2 s ago.
	testnet.WaitFor(t, 5*time.Second, "H.264 bitrate of 0", func() bool { return e.Stats().H264Bitrate == 0 })
	if st := e.Stats(); st.JPEGBitrate == 0 {
		t.Fatalf("JPEG bitrate 0 while JPEG is encoded: %+v", st)
	}

	s.Codec = CodecAuto
	if err := e.Update(s); err != nil {
		t.Fatal(err)
	}
	upTo(before + 5)
	if f := frames()[before]; !f.Keyframe() {
		t.Fatal("the first H.264 frame after JPEG only is not a keyframe: its viewers could not decode it")
	}
}

// meanSize is the mean size of the non-key frames of fs.
func meanSize(fs []*hub.Frame) int {
	sum, n := 0, 0
	for _, f := range fs {
		if !f.Keyframe() {
			sum += len(f.Data)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// noisyOpen opens the source with sensor-like noise added to every frame,
// as a camera has: the test pattern alone is so plain that the encoder
// needs far less than any bitrate a test would set.
func noisyOpen(spec source.Spec, opt source.Options) (source.Source, error) {
	src, err := source.Open(spec, opt)
	if err != nil {
		return nil, err
	}
	noise := gocv.NewMat()
	read := func(m *gocv.Mat) error {
		if err := src.Read(m); err != nil {
			return err
		}
		if noise.Rows() != m.Rows() || noise.Cols() != m.Cols() || noise.Type() != m.Type() {
			noise.Close()
			noise = gocv.NewMatWithSize(m.Rows(), m.Cols(), m.Type())
		}
		gocv.RandU(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(40, 40, 40, 0))
		gocv.Add(*m, noise, m)
		return nil
	}
	return &fakeSource{ReadImpl: read, CloseImpl: func() error { noise.Close(); return src.Close() }}, nil
}

func TestTheBitrateSettingChangesTheH264FramesLive(t *testing.T) {
	s := Settings{Source: "test", Quality: 80, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true, Bitrate: 4_000_000}
	e, h := start(t, s, Deps{Open: noisyOpen})
	key := hub.CodecKey("", protocol.CodecH264)
	const n = 60 // 2 s: the rate control settles within it
	frames, upTo := collect(t, h, key, n)
	high := meanSize(frames()[n/2 : n])

	s.Bitrate = 200_000
	if err := e.Update(s); err != nil {
		t.Fatal(err)
	}
	at := len(frames())
	upTo(at + n)
	after := frames()[at:]
	// The new encoder starts at a keyframe, within a frame or two of the change.
	keyAt := -1
	for i, f := range after[:5] {
		if f.Keyframe() {
			keyAt = i
			break
		}
	}
	if keyAt < 0 {
		t.Fatal("no keyframe within 5 frames of the new bitrate: the encoder was not made anew")
	}
	low := meanSize(after[n/2:])
	t.Logf("mean frame at 4 Mbit/s %d bytes, at 200 kbit/s %d bytes", high, low)
	if low*3 > high {
		t.Fatalf("frames at 200 kbit/s are %d bytes, at 4 Mbit/s %d: want a third or less", low, high)
	}
}

func TestTheStatsSayTheBitrateEncodedInEachCodec(t *testing.T) {
	s := Settings{Source: "test", Quality: 80, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true}
	e, h := start(t, s, Deps{Open: noisyOpen})
	jpeg, upTo := collect(t, h, "", 1)
	// The meter looks 2 s back: 75 frames at 30 fps fill its window.
	upTo(75)
	st := e.Stats()
	fs := jpeg()
	bytes := 0
	for _, f := range fs[len(fs)-30:] {
		bytes += len(f.Data)
	}
	want := float64(bytes) / 30 * 8 * st.OutputFPS
	t.Logf("JPEG %.0f bit/s in the stats, %.0f from the frames; H.264 %.0f", st.JPEGBitrate, want, st.H264Bitrate)
	if st.JPEGBitrate < want/2 || st.JPEGBitrate > want*2 {
		t.Fatalf("JPEG bitrate %.0f bit/s, the frames say %.0f", st.JPEGBitrate, want)
	}
	if st.H264Bitrate != 0 {
		t.Fatalf("H.264 bitrate %.0f while nobody takes H.264", st.H264Bitrate)
	}

	key := hub.CodecKey("", protocol.CodecH264)
	collect(t, h, key, 5)
	testnet.WaitFor(t, 10*time.Second, "an H.264 bitrate", func() bool { return e.Stats().H264Bitrate > 0 })
}
