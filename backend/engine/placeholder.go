package engine

import (
	"image"
	"image/color"
	"time"

	"gocv.io/x/gocv"
)

// drawNoSignal draws the frame viewers see while the source is being retried.
func drawNoSignal(m *gocv.Mat, w, h int, source, reason string) {
	if m.Cols() != w || m.Rows() != h || m.Type() != gocv.MatTypeCV8UC3 {
		m.Close()
		*m = gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	}
	m.SetTo(gocv.NewScalar(40, 30, 30, 0))
	scale := float64(h) / 720
	white := color.RGBA{235, 235, 235, 0}
	grey := color.RGBA{160, 160, 160, 0}
	center := func(text string, y int, size float64, c color.RGBA, thick int) {
		sz := gocv.GetTextSize(text, gocv.FontHersheyDuplex, size*scale, thick)
		gocv.PutText(m, text, image.Pt((w-sz.X)/2, y), gocv.FontHersheyDuplex, size*scale, c, thick)
	}
	center("NO SIGNAL", h/2, 3, white, int(5*scale)+1)
	center(source, h/2+int(70*scale), 1, grey, 1)
	if len(reason) > 90 {
		reason = reason[:90] + "..."
	}
	center(reason, h/2+int(110*scale), 0.7, grey, 1)
	center("retrying - "+time.Now().Format("15:04:05"), h/2+int(150*scale), 0.7, grey, 1)
}
