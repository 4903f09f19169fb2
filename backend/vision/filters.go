package vision

import (
	"image"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// gray turns the frame to grayscale, kept as 3 channels so the next
// processor and the encoder see the same type as always.
type gray struct{ tmp gocv.Mat }

func newGray(params) (Processor, error) { return &gray{tmp: gocv.NewMat()}, nil }

func (g *gray) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	gocv.CvtColor(*frame, &g.tmp, gocv.ColorBGRToGray)
	gocv.CvtColor(g.tmp, frame, gocv.ColorGrayToBGR)
	return dets, nil
}

func (g *gray) Close() error { return g.tmp.Close() }

// blur is a Gaussian blur with an odd square kernel.
type blur struct {
	size int
	tmp  gocv.Mat
}

func newBlur(p params) (Processor, error) {
	return &blur{size: p.int("size"), tmp: gocv.NewMat()}, nil
}

func (b *blur) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	gocv.GaussianBlur(*frame, &b.tmp, image.Pt(b.size, b.size), 0, 0, gocv.BorderDefault)
	b.tmp.CopyTo(frame)
	return dets, nil
}

func (b *blur) Close() error { return b.tmp.Close() }

// canny draws the frame's edges, white on black.
type canny struct {
	low, high   float32
	gray, edges gocv.Mat
}

func newCanny(p params) (Processor, error) {
	return &canny{low: float32(p["low"]), high: float32(p["high"]), gray: gocv.NewMat(), edges: gocv.NewMat()}, nil
}

func (c *canny) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	gocv.CvtColor(*frame, &c.gray, gocv.ColorBGRToGray)
	gocv.Canny(c.gray, &c.edges, c.low, c.high)
	gocv.CvtColor(c.edges, frame, gocv.ColorGrayToBGR)
	return dets, nil
}

func (c *canny) Close() error {
	c.gray.Close()
	return c.edges.Close()
}
