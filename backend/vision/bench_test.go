package vision

import (
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// BenchmarkProcessors measures each processor on a 1280×720 frame made from
// the face photo, and face detection at several detection widths: the cost
// that decides whether a chain keeps 30 fps (33 ms a frame, shared with
// capture and encoding).
//
//	go test -run '^$' -bench Processors -benchtime 50x ./backend/vision
func BenchmarkProcessors(b *testing.B) {
	photo := gocv.IMRead(filepath.Join("testdata", "face.jpg"), gocv.IMReadColor)
	defer photo.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	gocv.Resize(photo, &frame, image.Pt(1280, 720), 0, 0, gocv.InterpolationLinear)
	specs := []string{"gray", "blur", "canny", "motion", "overlay", "clock"}
	for _, w := range []int{320, 480, 640, 960, 1280} {
		specs = append(specs, fmt.Sprintf("faces:detectWidth=%d", w))
	}
	for _, spec := range specs {
		b.Run(spec, func(b *testing.B) {
			items, err := ParseChain(spec)
			if err != nil {
				b.Fatal(err)
			}
			c, err := NewChain(items)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			m := frame.Clone()
			defer m.Close()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				frame.CopyTo(&m)
				if _, _, err := c.Run(&m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
