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

// encodeJPEG encodes m at the given quality and returns a copy of the bytes,
// so the native buffer can be freed at once.
func encodeJPEG(m gocv.Mat, quality int) ([]byte, error) {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), nil
}
