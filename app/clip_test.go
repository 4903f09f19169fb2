package app

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// writeClip makes a short video file for the source tests.
func writeClip(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.avi")
	w, err := gocv.VideoWriterFile(path, "MJPG", 25, 160, 120, true)
	if err != nil {
		t.Fatal(err)
	}
	m := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
	defer m.Close()
	for i := 0; i < 5; i++ {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
