package vision

import (
	"fmt"
	"image"
	"image/color"
	"time"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

var colorBlack = color.RGBA{0, 0, 0, 0}

// labelColor gives each label the colour the viewer draws it in.
func labelColor(label string) color.RGBA {
	switch label {
	case "face":
		return color.RGBA{0x22, 0xd3, 0xee, 0}
	case "motion":
		return color.RGBA{0xf5, 0x9e, 0x0b, 0}
	}
	return color.RGBA{0x34, 0xe6, 0x81, 0}
}

// overlay asks for the detections to be drawn onto the picture, for MJPEG
// and snapshot clients, which cannot draw them. It leaves the frame as it
// is: WebSocket viewers get the clean picture and draw the boxes
// themselves (their Boxes button hides them), and the engine burns them
// into a copy encoded only while an MJPEG or snapshot client takes it
// (Chain.Burns, Burn).
type overlay struct{}

func newOverlay(params) (Processor, error) { return overlay{}, nil }

func (overlay) Process(_ *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	return dets, nil
}

func (overlay) Close() error { return nil }

// Burn draws dets onto frame: each box outlined in its label's colour and
// tagged with its label on a background of that colour, placed so no tag
// covers another (placeLabels), as the viewer page draws them.
func Burn(frame *gocv.Mat, dets []protocol.Detection) {
	if len(dets) == 0 {
		return
	}
	thick := max(2, frame.Cols()/400)
	scale := max(0.4, float64(frame.Rows())/1200)
	boxes := make([]image.Rectangle, len(dets))
	sizes := make([]image.Point, len(dets))
	texts := make([]string, len(dets))
	pad := max(3, int(6*scale))
	for i, d := range dets {
		boxes[i] = image.Rect(d.Box[0], d.Box[1], d.Box[0]+d.Box[2], d.Box[1]+d.Box[3])
		texts[i] = d.Label
		if d.Score > 0 && d.Score < 1 {
			texts[i] = fmt.Sprintf("%s %d%%", d.Label, min(99, int(d.Score*100+0.5)))
		}
		ts := gocv.GetTextSize(texts[i], gocv.FontHersheySimplex, scale, 1)
		sizes[i] = image.Pt(ts.X+2*pad, ts.Y+2*pad)
	}
	for i, d := range dets {
		gocv.Rectangle(frame, boxes[i], labelColor(d.Label), thick)
	}
	tags := placeLabels(boxes, sizes, image.Rect(0, 0, frame.Cols(), frame.Rows()))
	for i, d := range dets {
		t := tags[i]
		if t.Empty() {
			continue
		}
		gocv.Rectangle(frame, t, labelColor(d.Label), -1)
		gocv.PutText(frame, texts[i], image.Pt(t.Min.X+pad, t.Max.Y-pad), gocv.FontHersheySimplex, scale, colorBlack, 1)
	}
}

// clock draws the wall-clock time and the rate frames pass through it.
type clock struct {
	last time.Time
	fps  float64
}

func newClock(params) (Processor, error) { return &clock{}, nil }

func (c *clock) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	now := time.Now()
	if !c.last.IsZero() {
		if dt := now.Sub(c.last).Seconds(); dt > 0 {
			c.fps = 0.9*c.fps + 0.1/dt
		}
	}
	c.last = now
	text := fmt.Sprintf("%s  %.1f fps", now.Format("2006-01-02 15:04:05.000"), c.fps)
	scale := max(0.5, float64(frame.Rows())/1080)
	size := gocv.GetTextSize(text, gocv.FontHersheySimplex, scale, 2)
	org := image.Pt(frame.Cols()-size.X-12, frame.Rows()-12)
	gocv.Rectangle(frame, image.Rect(org.X-6, org.Y-size.Y-8, frame.Cols()-6, frame.Rows()-4), colorBlack, -1)
	gocv.PutText(frame, text, org, gocv.FontHersheySimplex, scale, color.RGBA{255, 255, 255, 0}, 2)
	return dets, nil
}

func (c *clock) Close() error { return nil }
