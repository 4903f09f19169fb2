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

// overlay draws the detections so far onto the frame itself, for MJPEG and
// snapshot clients, which cannot draw them.
type overlay struct{}

func newOverlay(params) (Processor, error) { return overlay{}, nil }

func (overlay) Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error) {
	thick := max(2, frame.Cols()/400)
	for _, d := range dets {
		c := labelColor(d.Label)
		r := image.Rect(d.Box[0], d.Box[1], d.Box[0]+d.Box[2], d.Box[1]+d.Box[3])
		gocv.Rectangle(frame, r, c, thick)
		text := d.Label
		if d.Score > 0 && d.Score < 1 {
			text = fmt.Sprintf("%s %.0f%%", d.Label, d.Score*100)
		}
		size := gocv.GetTextSize(text, gocv.FontHersheySimplex, 0.6, 1)
		top := max(0, r.Min.Y-size.Y-8)
		gocv.Rectangle(frame, image.Rect(r.Min.X, top, r.Min.X+size.X+8, top+size.Y+8), c, -1)
		gocv.PutText(frame, text, image.Pt(r.Min.X+4, top+size.Y+4), gocv.FontHersheySimplex, 0.6, colorBlack, 1)
	}
	return dets, nil
}

func (overlay) Close() error { return nil }

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
