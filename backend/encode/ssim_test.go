package encode

import (
	"image"
	"image/color"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"gocv.io/x/gocv"
)

func grey(v uint8) color.RGBA { return color.RGBA{v, v, v, 0} }

// picture draws a grey picture with edges, text and a gradient.
func picture(w, h int) gocv.Mat {
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC1)
	for x := 0; x < w; x += 8 {
		gocv.Line(&m, image.Pt(x, 0), image.Pt(x, h), grey(uint8(x*255/w)), 8)
	}
	gocv.Rectangle(&m, image.Rect(w/4, h/4, w/2, h/2), grey(230), -1)
	gocv.PutText(&m, "Framecast 23", image.Pt(10, h-20), gocv.FontHersheySimplex, 1, grey(20), 2)
	gocv.Circle(&m, image.Pt(3*w/4, h/3), h/5, grey(128), 3)
	return m
}

// noisy is m with Gaussian noise of σ sigma added.
func noisy(m gocv.Mat, sigma float64) gocv.Mat {
	noise := gocv.NewMatWithSize(m.Rows(), m.Cols(), gocv.MatTypeCV16SC1)
	defer noise.Close()
	gocv.RandN(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(sigma, 0, 0, 0))
	wide, out := gocv.NewMat(), gocv.NewMat()
	defer wide.Close()
	m.ConvertTo(&wide, gocv.MatTypeCV16SC1)
	gocv.Add(wide, noise, &wide)
	wide.ConvertTo(&out, gocv.MatTypeCV8UC1) // saturates at 0 and 255
	return out
}

// ffmpegSSIM is ffmpeg's ssim filter's Y score of two grey pictures.
func ffmpegSSIM(t *testing.T, a, b gocv.Mat) float64 {
	t.Helper()
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	gocv.IMWrite(pa, a)
	gocv.IMWrite(pb, b)
	out, err := exec.Command("ffmpeg", "-hide_banner", "-i", pa, "-i", pb, "-lavfi", "ssim", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`SSIM Y:([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no SSIM in ffmpeg's output:\n%s", out)
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

func TestSSIMIsOneForTheSamePictureFallsWithNoiseAndAgreesWithFFmpeg(t *testing.T) {
	s := NewSSIM()
	defer s.Close()
	pic := picture(320, 180)
	defer pic.Close()
	same, err := s.Of(pic, pic)
	if err != nil || same < 0.99999 || same > 1.00001 {
		t.Fatalf("a picture against itself: %v, %v", same, err)
	}
	last := same
	for _, sigma := range []float64{2, 6, 20} {
		n := noisy(pic, sigma)
		got, err := s.Of(pic, n)
		if err != nil {
			t.Fatal(err)
		}
		// ffmpeg sums 8×8 windows where this weighs 11×11 Gaussian ones:
		// near, not the same.
		ff := ffmpegSSIM(t, pic, n)
		if got >= last || got < ff-0.02 || got > ff+0.02 {
			t.Fatalf("noise of σ %v: SSIM %.4f (ffmpeg %.4f), after %.4f with less", sigma, got, ff, last)
		}
		last = got
		n.Close()
	}
	small := picture(160, 90)
	defer small.Close()
	if _, err := s.Of(pic, small); err == nil {
		t.Fatal("pictures of two sizes compared")
	}
}
