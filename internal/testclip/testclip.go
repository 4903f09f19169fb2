// Package testclip writes small video files for tests: a white square
// moving across a dark background, so consecutive frames differ.
package testclip

import (
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// Write makes an MJPEG .avi of n w×h frames at fps in a temporary directory
// of t and returns its path.
func Write(t testing.TB, n, fps, w, h int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", float64(fps), w, h, true)
	if err != nil {
		t.Fatal(err)
	}
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer m.Close()
	side := max(8, h/4)
	for i := 0; i < n; i++ {
		m.SetTo(gocv.NewScalar(30, 30, 30, 0))
		x := (i * 5) % max(1, w-side)
		gocv.Rectangle(&m, image.Rect(x, h/3, x+side, h/3+side), color.RGBA{255, 255, 255, 0}, -1)
		if err := vw.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
