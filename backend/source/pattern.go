package source

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"time"

	"gocv.io/x/gocv"
)

// pattern is the synthetic test source: colour bars with moving shapes, a
// frame counter and the wall clock, so a person sees at once that it is live.
type pattern struct {
	opt   Options
	bg    gocv.Mat // the static bars, drawn once
	n     int
	start time.Time
	pace  pacer
}

// newPattern draws at the largest 16:9 size inside opt's width and height
// (Options are a bounding box: 854×480 gives 854×480, 160×160 gives 160×90)
// and at opt's rate.
func newPattern(opt Options) *pattern {
	opt.Width, opt.Height = fit16x9(opt.Width, opt.Height)
	p := &pattern{opt: opt, bg: gocv.NewMatWithSize(opt.Height, opt.Width, gocv.MatTypeCV8UC3), start: time.Now(),
		pace: newPacer(float64(opt.FPS))}
	bars := []color.RGBA{
		{192, 192, 192, 0}, {192, 192, 0, 0}, {0, 192, 192, 0}, {0, 192, 0, 0},
		{192, 0, 192, 0}, {192, 0, 0, 0}, {0, 0, 192, 0}, {32, 32, 32, 0},
	}
	w := opt.Width / len(bars)
	for i, c := range bars {
		r := image.Rect(i*w, 0, (i+1)*w, opt.Height)
		if i == len(bars)-1 {
			r.Max.X = opt.Width
		}
		gocv.Rectangle(&p.bg, r, c, -1)
	}
	return p
}

func (p *pattern) Read(dst *gocv.Mat) error {
	p.pace.wait()
	p.bg.CopyTo(dst)
	p.draw(dst)
	p.n++
	return nil
}

func (p *pattern) draw(m *gocv.Mat) {
	w, h := p.opt.Width, p.opt.Height
	t := time.Since(p.start).Seconds()
	scale := float64(h) / 720

	// A ball bouncing on a circle and a bar sweeping across show motion.
	cx := w/2 + int(float64(w)/3*math.Cos(t*1.3))
	cy := h/2 + int(float64(h)/3*math.Sin(t*2.1))
	gocv.Circle(m, image.Pt(cx, cy), int(60*scale), color.RGBA{255, 255, 255, 0}, -1)
	gocv.Circle(m, image.Pt(cx, cy), int(60*scale), color.RGBA{0, 0, 0, 0}, int(4*scale)+1)
	x := int(math.Mod(t*float64(w)/4, float64(w)))
	gocv.Rectangle(m, image.Rect(x, h-int(40*scale), x+int(80*scale), h), color.RGBA{0, 255, 255, 0}, -1)

	// Frame counter and wall clock on a dark band.
	gocv.Rectangle(m, image.Rect(0, 0, w, int(70*scale)), color.RGBA{0, 0, 0, 0}, -1)
	text := fmt.Sprintf("FRAMECAST  #%06d  %s", p.n, time.Now().Format("15:04:05.000"))
	gocv.PutText(m, text, image.Pt(int(20*scale), int(50*scale)), gocv.FontHersheyDuplex, 1.4*scale, color.RGBA{255, 255, 255, 0}, int(2*scale)+1)
}

func (p *pattern) Close() error { return p.bg.Close() }

// fit16x9 returns the largest 16:9 size, rounded to whole pixels, inside
// w×h (both above 0).
func fit16x9(w, h int) (int, int) {
	if fh := (w*9 + 8) / 16; fh <= h {
		return w, max(fh, 1)
	}
	return max((h*16+4)/9, 1), h
}
