package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framecast/internal/testclip"

	"gocv.io/x/gocv"
)

func open(t *testing.T, spec string, opt Options) Source {
	t.Helper()
	s, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	src, err := Open(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func TestPatternIsLiveAtItsSizeAndRate(t *testing.T) {
	src := open(t, "test", Options{Width: 640, Height: 360, FPS: 50})
	a, b := gocv.NewMat(), gocv.NewMat()
	defer a.Close()
	defer b.Close()
	start := time.Now()
	if err := src.Read(&a); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := src.Read(&b); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Fatalf("11 frames at 50 fps took %v; the pattern is not paced", el)
	}
	if b.Cols() != 640 || b.Rows() != 360 || b.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("frame is %dx%d type %v, want 640x360 BGR", b.Cols(), b.Rows(), b.Type())
	}
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(a, b, &diff)
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(diff, &gray, gocv.ColorBGRToGray)
	if gocv.CountNonZero(gray) < 1000 {
		t.Fatal("consecutive pattern frames are the same; it should move")
	}
}

func TestFilePlaysAndLoops(t *testing.T) {
	path := testclip.Write(t, 5, 100, 320, 240)
	src := open(t, path, Options{})
	m := gocv.NewMat()
	defer m.Close()
	for i := 0; i < 12; i++ { // more reads than frames: it must loop
		if err := src.Read(&m); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if m.Cols() != 320 || m.Rows() != 240 {
			t.Fatalf("frame %d is %dx%d, want 320x240", i, m.Cols(), m.Rows())
		}
	}
}

func TestOpenErrorsNameTheSourceAndWhy(t *testing.T) {
	notVideo := filepath.Join(t.TempDir(), "notes.mp4")
	if err := os.WriteFile(notVideo, []byte("this is not a video"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		spec Spec
		want []string
	}{
		{"a missing file is named in plain words", Spec{Kind: KindFile, Path: "/nonexistent/clip.mp4"}, []string{"source file /nonexistent/clip.mp4 does not exist"}},
		{"a file that is not a video is named", Spec{Kind: KindFile, Path: notVideo}, []string{notVideo}},
		{"a missing camera is named", Spec{Kind: KindCamera, Index: 77}, []string{"camera:77"}},
		{"a camera API this system lacks is named", Spec{Kind: KindCamera, Index: 0, API: "dshow"}, []string{"camera:0?api=dshow", "dshow API"}},
		{"an unreachable stream is named", Spec{Kind: KindURL, URL: "http://127.0.0.1:1/none.mjpg"}, []string{"http://127.0.0.1:1/none.mjpg"}},
		// The reason reaches viewers as the NO SIGNAL status: no password.
		{"a camera's password is not repeated", Spec{Kind: KindURL, URL: "http://admin:secret@127.0.0.1:1/live?token=t0ken"},
			[]string{"http://admin:redacted@127.0.0.1:1/live?redacted"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := Open(c.spec, Options{})
			if err == nil {
				src.Close()
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "t0ken") {
				t.Fatalf("error %q gives a secret away", err)
			}
		})
	}
}

func TestAStillImagePlaysAtTheRequestedRate(t *testing.T) {
	src := open(t, filepath.Join("..", "vision", "testdata", "face.jpg"), Options{FPS: 50})
	m := gocv.NewMat()
	defer m.Close()
	start := time.Now()
	for i := 0; i < 11; i++ {
		if err := src.Read(&m); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 180*time.Millisecond {
		t.Fatalf("11 frames at 50 fps took %v; the image is not paced", el)
	}
	if m.Cols() != 640 || m.Rows() != 480 {
		t.Fatalf("frame is %dx%d, want the photo's 640x480", m.Cols(), m.Rows())
	}
}

func TestAnImageThatIsNotAPictureIsRefused(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(bad, []byte("not a png"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Spec{Kind: KindFile, Path: bad}, Options{})
	if err == nil || !strings.Contains(err.Error(), "open image") || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want one naming the image", err)
	}
}

func TestThePatternIsTheLargest16x9InsideItsOptions(t *testing.T) {
	cases := []struct {
		name         string
		w, h, ww, wh int
	}{
		{"480p is 854x480", 854, 480, 854, 480},
		{"720p is 1280x720", 1280, 720, 1280, 720},
		{"a square box gives a wide frame", 160, 160, 160, 90},
		{"a box wider than 16:9 gives its full height", 1000, 360, 640, 360},
		{"a tiny box gives at least a pixel", 1, 1, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := open(t, "test", Options{Width: c.w, Height: c.h, FPS: 100})
			m := gocv.NewMat()
			defer m.Close()
			if err := src.Read(&m); err != nil {
				t.Fatal(err)
			}
			if m.Cols() != c.ww || m.Rows() != c.wh {
				t.Fatalf("pattern in %dx%d is %dx%d, want %dx%d", c.w, c.h, m.Cols(), m.Rows(), c.ww, c.wh)
			}
		})
	}
}

func TestOnlySourcesThatTakeOptionsAreReopenedForNewOnes(t *testing.T) {
	p480 := Options{Width: 854, Height: 480, FPS: 10}
	p720 := Options{Width: 1280, Height: 720, FPS: 30}
	at := func(o Options, fps int) Options { o.FPS = fps; return o }
	cases := []struct {
		name     string
		spec     string
		was, now Options
		want     bool
	}{
		{"the test pattern is reopened for a new size", "test", p480, at(p720, 10), true},
		{"the test pattern is reopened for a new rate", "test", p480, at(p480, 30), true},
		{"the test pattern is not reopened for the same options", "test", p720, p720, false},
		{"unset options are the defaults", "test", Options{}, DefaultOptions(), false},
		{"a camera is reopened for a new size", "camera:0", p480, p720, true},
		{"a still picture is reopened for a new rate", "/tmp/logo.png", p480, at(p480, 30), true},
		{"a still picture is not reopened for a new size", "/tmp/logo.png", p480, at(p720, 10), false},
		{"a video file is never reopened", "/tmp/clip.mp4", p480, p720, false},
		{"a network stream is never reopened", "rtsp://cam/live", p480, p720, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec, err := ParseSpec(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := Reopen(spec, c.was, c.now); got != c.want {
				t.Fatalf("Reopen(%s, %+v, %+v) = %v, want %v", c.spec, c.was, c.now, got, c.want)
			}
		})
	}
}
