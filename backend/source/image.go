package source

import (
	"fmt"
	"path/filepath"
	"strings"

	"gocv.io/x/gocv"
)

// imageExts are the still pictures shown as a live stream.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".bmp": true, ".webp": true}

func isImage(path string) bool { return imageExts[strings.ToLower(filepath.Ext(path))] }

func fileKind(path string) string {
	if isImage(path) {
		return "image"
	}
	return "video file"
}

// still shows one picture as a live stream at a fixed rate: useful for
// tests and as a placeholder logo.
type still struct {
	img  gocv.Mat
	pace pacer
}

func openImage(path string, fps int) (Source, error) {
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		img.Close()
		return nil, fmt.Errorf("open image %q: not a picture OpenCV can read", path)
	}
	return &still{img: img, pace: newPacer(float64(fps))}, nil
}

func (s *still) Read(dst *gocv.Mat) error {
	s.pace.wait()
	s.img.CopyTo(dst)
	return nil
}

func (s *still) Close() error { return s.img.Close() }
