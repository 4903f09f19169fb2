package encode

// How much of a picture an encoding keeps: SSIM (Wang, Bovik, Sheikh and
// Simoncelli, 2004) of a decoded picture against the one it was encoded
// from, as the benchmark reports it beside each codec's bytes.

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// SSIM's constants for 8-bit samples: (0.01·255)² and (0.03·255)².
const (
	ssimC1 = 6.5025
	ssimC2 = 58.5225
)

// SSIM compares pictures of one size with the structural similarity index
// of Wang et al.: an 11×11 Gaussian window of σ 1.5 at every pixel, the
// mean over the picture. 1 is the same picture; it falls as the encoding
// loses detail, blurs edges or adds blocks and noise. It keeps its Mats
// between calls, so measuring a clip costs no allocation a frame; it is
// used by one goroutine at a time. Close frees it.
type SSIM struct {
	a, b, aa, bb, ab, mu1, mu2, t1, t2 gocv.Mat
}

// NewSSIM makes an SSIM.
func NewSSIM() *SSIM {
	s := &SSIM{}
	for _, m := range s.mats() {
		*m = gocv.NewMat()
	}
	return s
}

func (s *SSIM) mats() []*gocv.Mat {
	return []*gocv.Mat{&s.a, &s.b, &s.aa, &s.bb, &s.ab, &s.mu1, &s.mu2, &s.t1, &s.t2}
}

// Close frees the Mats.
func (s *SSIM) Close() {
	for _, m := range s.mats() {
		_ = m.Close()
	}
}

// Of is the SSIM of two 8-bit single-channel pictures of one size (a
// picture's luma: the Y plane of its I420 form).
func (s *SSIM) Of(x, y gocv.Mat) (float64, error) {
	if x.Cols() != y.Cols() || x.Rows() != y.Rows() || x.Type() != gocv.MatTypeCV8UC1 || y.Type() != gocv.MatTypeCV8UC1 {
		return 0, fmt.Errorf("ssim: a %dx%d picture (type %v) against a %dx%d one (type %v): want one size, 8-bit, one channel",
			x.Cols(), x.Rows(), x.Type(), y.Cols(), y.Rows(), y.Type())
	}
	blur := func(src gocv.Mat, dst *gocv.Mat) {
		gocv.GaussianBlur(src, dst, image.Pt(11, 11), 1.5, 1.5, gocv.BorderReplicate)
	}
	x.ConvertTo(&s.a, gocv.MatTypeCV32F)
	y.ConvertTo(&s.b, gocv.MatTypeCV32F)
	blur(s.a, &s.mu1)
	blur(s.b, &s.mu2)
	// σ²x + μ²x = blur(x²), and likewise for y and xy.
	gocv.Multiply(s.a, s.a, &s.t1)
	blur(s.t1, &s.aa)
	gocv.Multiply(s.b, s.b, &s.t1)
	blur(s.t1, &s.bb)
	gocv.Multiply(s.a, s.b, &s.t1)
	blur(s.t1, &s.ab)
	// Reuse a and b: a = μx², b = μy², t2 = μxμy.
	gocv.Multiply(s.mu1, s.mu1, &s.a)
	gocv.Multiply(s.mu2, s.mu2, &s.b)
	gocv.Multiply(s.mu1, s.mu2, &s.t2)
	gocv.Subtract(s.aa, s.a, &s.aa)  // σ²x
	gocv.Subtract(s.bb, s.b, &s.bb)  // σ²y
	gocv.Subtract(s.ab, s.t2, &s.ab) // σxy
	// Numerator (2μxμy + ssimC1)(2σxy + ssimC2) into t1; denominator
	// (μ²x + μ²y + ssimC1)(σ²x + σ²y + ssimC2) into mu1.
	s.t2.MultiplyFloat(2)
	s.t2.AddFloat(ssimC1)
	s.ab.MultiplyFloat(2)
	s.ab.AddFloat(ssimC2)
	gocv.Multiply(s.t2, s.ab, &s.t1)
	gocv.Add(s.a, s.b, &s.mu1)
	s.mu1.AddFloat(ssimC1)
	gocv.Add(s.aa, s.bb, &s.mu2)
	s.mu2.AddFloat(ssimC2)
	gocv.Multiply(s.mu1, s.mu2, &s.a)
	gocv.Divide(s.t1, s.a, &s.b)
	return s.b.Mean().Val1, nil
}
