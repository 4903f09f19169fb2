package engine

import (
	"image"

	"framecast/backend/hub"
	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// renditions encodes the smaller copies some viewer takes (wanted) of the
// frame out, whose header is h: the same seq, time and detections, the
// boxes scaled to each size. A rendition no smaller than out is skipped:
// its viewers see nothing better than the stream's own frames.
func (p *processor) renditions(out gocv.Mat, h protocol.Header, wanted map[string]bool) error {
	for _, r := range p.e.renditions {
		if !wanted[r.Name] || r.W >= out.Cols() || r.H >= out.Rows() {
			continue
		}
		w, hh := fit(out.Cols(), out.Rows(), r.W, r.H)
		gocv.Resize(out, &p.small, image.Pt(w, hh), 0, 0, gocv.InterpolationArea)
		buf, err := encodeJPEG(p.small, r.Quality)
		if err != nil {
			return err
		}
		rh := h
		rh.W, rh.H, rh.Rendition = w, hh, r.Name
		rh.Detections = scaledCopy(h.Detections, float64(w)/float64(out.Cols()))
		f, err := hub.NewFrame(rh, buf.GetBytes())
		buf.Close()
		if err != nil {
			return err
		}
		f.Rendition = r.Name
		p.e.hub.Publish(f)
	}
	return nil
}

// scaledCopy is dets with their boxes scaled by k, leaving dets as it is:
// the stream's own frame shares it.
func scaledCopy(dets []protocol.Detection, k float64) []protocol.Detection {
	if len(dets) == 0 {
		return nil
	}
	out := make([]protocol.Detection, len(dets))
	copy(out, dets)
	scaleDetections(out, k)
	return out
}

// Renditions are the stream's renditions now: its own size, then the
// smaller copies offered below it.
func (e *Engine) Renditions() []protocol.Rendition {
	st := e.Stats()
	w, h := st.Width, st.Height
	if w == 0 || h == 0 {
		s := e.Settings()
		w, h = s.MaxWidth, s.MaxHeight
	}
	ladder := protocol.Ladder(w, h, e.Settings().Quality, e.renditions)
	for i := range ladder[1:] {
		// The sizes frames really have: the stream's aspect kept.
		r := &ladder[i+1]
		r.W, r.H = fit(w, h, r.W, r.H)
	}
	return ladder
}
