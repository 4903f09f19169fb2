package engine

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// fit returns the size of a w×h frame scaled down to fit inside maxW×maxH,
// keeping its aspect ratio. A zero limit means no limit on that side.
func fit(w, h, maxW, maxH int) (int, int) {
	scale := 1.0
	if maxW > 0 && w > maxW {
		scale = float64(maxW) / float64(w)
	}
	if maxH > 0 && h > maxH && float64(maxH)/float64(h) < scale {
		scale = float64(maxH) / float64(h)
	}
	if scale == 1 {
		return w, h
	}
	return max(1, int(float64(w)*scale+0.5)), max(1, int(float64(h)*scale+0.5))
}

// scaleInto writes src scaled to fit the limits into dst and returns the Mat
// to encode: src itself when no scaling is needed.
func scaleInto(src gocv.Mat, dst *gocv.Mat, maxW, maxH int) gocv.Mat {
	w, h := fit(src.Cols(), src.Rows(), maxW, maxH)
	if w == src.Cols() && h == src.Rows() {
		return src
	}
	gocv.Resize(src, dst, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	return *dst
}

// encodeJPEG encodes m at the given quality. The bytes live in native
// memory: the caller copies them (straight into the frame's wire message)
// and then closes the buffer.
func encodeJPEG(m gocv.Mat, quality int) (*gocv.NativeByteBuffer, error) {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	return buf, nil
}
