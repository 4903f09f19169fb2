package vision

import (
	"image"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// motion finds moving regions: MOG2 background subtraction, a threshold
// that drops shadows and noise, a dilation that joins fragments, then the
// bounding box of every outer contour of at least minArea pixels. The frame
// itself is left as it was.
type motion struct {
	mog     gocv.BackgroundSubtractorMOG2
	kernel  gocv.Mat
	mask    gocv.Mat
	minArea float64
}

// motionLevel separates motion (255 in MOG2's mask) from shadows (127).
const motionLevel = 200

func newMotion(p params) (Processor, error) {
	return &motion{
		mog:     gocv.NewBackgroundSubtractorMOG2WithParams(p.int("history"), p["varThreshold"], true),
		kernel:  gocv.GetStructuringElement(gocv.MorphRect, image.Pt(5, 5)),
		mask:    gocv.NewMat(),
		minArea: p["minArea"],
	}, nil
}

func (m *motion) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	m.mog.Apply(*frame, &m.mask)
	gocv.Threshold(m.mask, &m.mask, motionLevel, 255, gocv.ThresholdBinary)
	gocv.DilateWithParams(m.mask, &m.mask, m.kernel, image.Pt(-1, -1), 2, gocv.BorderConstant, colorBlack)
	contours := gocv.FindContours(m.mask, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	var regions []image.Rectangle
	for i := 0; i < contours.Size(); i++ {
		c := contours.At(i)
		if gocv.ContourArea(c) < m.minArea {
			continue
		}
		regions = append(regions, gocv.BoundingRect(c))
	}
	for _, r := range mergeRegions(regions) {
		dets = append(dets, protocol.Detection{Label: "motion", Score: 1, Box: [4]int{r.Min.X, r.Min.Y, r.Dx(), r.Dy()}})
	}
	return dets, nil
}

// mergeRegions joins regions that overlap or touch into their bounding
// box, again until none do: one moving thing found as several pieces is
// one box, not a pile of boxes and labels.
func mergeRegions(rs []image.Rectangle) []image.Rectangle {
	out := append([]image.Rectangle(nil), rs...)
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(out) && !merged; i++ {
			for j := i + 1; j < len(out); j++ {
				// Inset(-1): rectangles that only touch count too.
				if out[i].Inset(-1).Overlaps(out[j]) {
					out[i] = out[i].Union(out[j])
					out = append(out[:j], out[j+1:]...)
					merged = true
					break
				}
			}
		}
	}
	return out
}

func (m *motion) Close() error {
	m.kernel.Close()
	m.mask.Close()
	return m.mog.Close()
}
