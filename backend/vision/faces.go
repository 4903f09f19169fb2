package vision

import (
	_ "embed"
	"fmt"
	"image"
	"os"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// frontalFace is OpenCV's Haar cascade for frontal faces (Intel License
// Agreement, see the file's header), built in so detection works on any
// machine.
//
//go:embed haarcascade_frontalface_default.xml
var frontalFace []byte

// faces finds frontal faces with the Haar cascade. It detects on a
// grayscale copy scaled down to detectWidth, which sets its cost.
type faces struct {
	cc           gocv.CascadeClassifier
	detectWidth  int
	minNeighbors int
	minSize      int
	gray, small  gocv.Mat
}

func newFaces(p params) (Processor, error) {
	// CascadeClassifier loads only from a file.
	f, err := os.CreateTemp("", "framecast-cascade-*.xml")
	if err != nil {
		return nil, fmt.Errorf("faces: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(frontalFace)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("faces: write cascade: %w", err)
	}
	cc := gocv.NewCascadeClassifier()
	if !cc.Load(f.Name()) {
		cc.Close()
		return nil, fmt.Errorf("faces: OpenCV could not load the face cascade")
	}
	return &faces{cc: cc, detectWidth: p.int("detectWidth"), minNeighbors: p.int("minNeighbors"),
		minSize: p.int("minSize"), gray: gocv.NewMat(), small: gocv.NewMat()}, nil
}

func (fc *faces) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	gocv.CvtColor(*frame, &fc.gray, gocv.ColorBGRToGray)
	img, scale := fc.gray, 1.0
	if w := frame.Cols(); w > fc.detectWidth {
		scale = float64(w) / float64(fc.detectWidth)
		h := int(float64(frame.Rows()) / scale)
		gocv.Resize(fc.gray, &fc.small, image.Pt(fc.detectWidth, h), 0, 0, gocv.InterpolationArea)
		img = fc.small
	}
	gocv.EqualizeHist(img, &img)
	min := max(1, int(float64(fc.minSize)/scale))
	for _, r := range fc.cc.DetectMultiScaleWithParams(img, 1.1, fc.minNeighbors, 0, image.Pt(min, min), image.Pt(0, 0)) {
		dets = append(dets, protocol.Detection{Label: "face", Score: 1, Box: [4]int{
			int(float64(r.Min.X) * scale), int(float64(r.Min.Y) * scale),
			int(float64(r.Dx()) * scale), int(float64(r.Dy()) * scale),
		}})
	}
	return dets, nil
}

func (fc *faces) Close() error {
	fc.gray.Close()
	fc.small.Close()
	return fc.cc.Close()
}
