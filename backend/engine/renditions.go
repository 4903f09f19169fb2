package engine

import (
	"image"
	"slices"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/source"

	"gocv.io/x/gocv"
)

// renditions encodes the smaller JPEG copies of the frame out that some
// viewer takes (the hub keys in taken, as hub.Taken says); h is out's
// header: the copies have the same seq, time and detections, the boxes
// scaled to each size; and, when the chain burns boxes in, the
// copies with them drawn on that some viewer takes (hub.BurnKey). A
// rendition no smaller than out is skipped: its viewers see nothing better
// than the stream's own frames. It returns the figures of the largest copy
// made, for the stream's when no own-size frame is made.
func (p *processor) renditions(out gocv.Mat, h protocol.Header, taken map[string]bool, burns bool) (enc encoded, err error) {
	for _, r := range p.e.lower() {
		burned := burns && taken[hub.BurnKey(r.Name)]
		if !taken[r.Name] && !burned || r.W >= out.Cols() || r.H >= out.Rows() {
			continue
		}
		w, hh := fit(out.Cols(), out.Rows(), r.W, r.H)
		gocv.Resize(out, &p.small, image.Pt(w, hh), 0, 0, gocv.InterpolationArea)
		start := time.Now()
		buf, err := encodeJPEG(p.small, r.Quality)
		if err != nil {
			return encoded{}, err
		}
		took := time.Since(start)
		rh := h
		rh.W, rh.H, rh.Rendition = w, hh, r.Name
		rh.Detections = scaledCopy(h.Detections, float64(w)/float64(out.Cols()))
		f, err := hub.NewFrame(rh, buf.GetBytes())
		buf.Close()
		if err != nil {
			return encoded{}, err
		}
		if enc.bytes == 0 {
			enc = encoded{bytes: len(f.Data), took: took, rendition: r.Name}
		}
		p.e.encoded(protocol.CodecJPEG, len(f.Data), time.Now())
		f.Rendition = r.Name
		if taken[r.Name] {
			p.e.hub.Publish(f)
		}
		if burned {
			if err := p.burn(p.small, f, hub.BurnKey(r.Name), r.Quality); err != nil {
				return encoded{}, err
			}
		}
	}
	return enc, nil
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
// smaller copies offered below it. The size is that of the frames going
// out (kept while nobody watches), or the max size before the first one.
func (e *Engine) Renditions() []protocol.Rendition {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ladderLocked()
}

// ladderLocked is Renditions; e.mu is held.
func (e *Engine) ladderLocked() []protocol.Rendition {
	w, h := e.frameW, e.frameH
	if w == 0 || h == 0 {
		w, h = e.settings.MaxWidth, e.settings.MaxHeight
	}
	ladder := protocol.Ladder(w, h, e.settings.Quality, e.lower())
	for i := range ladder[1:] {
		// The sizes frames really have: the stream's aspect kept.
		r := &ladder[i+1]
		r.W, r.H = fit(w, h, r.W, r.H)
	}
	return ladder
}

// lower are the smaller copies offered now (Deps.Renditions, then
// SetRenditions): never changed once stored, so readers use them without
// a lock.
func (e *Engine) lower() []protocol.Rendition { return *e.renditions.Load() }

// SetRenditions replaces the smaller copies offered. Viewers of one no
// longer offered are moved to the nearest (hub.RenditionsChanged), as
// when the source's size changes.
func (e *Engine) SetRenditions(r []protocol.Rendition) {
	r = slices.Clone(r)
	e.mu.Lock()
	e.renditions.Store(&r)
	ladder := e.ladderLocked()
	changed := !slices.Equal(ladder, e.offered)
	e.offered = ladder
	e.mu.Unlock()
	if changed {
		e.hub.RenditionsChanged()
	}
}

// sized notes the size of the frames going out. When it changes the ladder
// (another source, or max size), the hub is told: a viewer of a rendition
// no longer made would otherwise wait for frames that never come, and
// every viewer's menu lists what is offered now.
func (e *Engine) sized(w, h int) {
	e.mu.Lock()
	if w == e.frameW && h == e.frameH {
		e.mu.Unlock()
		return
	}
	e.frameW, e.frameH = w, h
	ladder := e.ladderLocked()
	changed := !slices.Equal(ladder, e.offered)
	e.offered = ladder
	e.mu.Unlock()
	if changed {
		e.hub.RenditionsChanged()
	}
}

// Burns reports whether the chain asks for its detections to be drawn onto
// the picture (the overlay processor), or the source is a producer whose
// boxes come with its frames: then clients that cannot draw them (MJPEG,
// snapshots) take the copies with them drawn on (hub.BurnKey), encoded
// only while one does; WebSocket viewers get the clean picture and draw
// the boxes themselves.
func (e *Engine) Burns() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.settings.spec.Kind == source.KindIngest {
		return true
	}
	for _, it := range e.settings.Process {
		if it.Name == "overlay" {
			return true
		}
	}
	return false
}

// burns is Burns for the processing goroutine: its chain now, which may
// be a frame behind the settings.
func (p *processor) burns() bool {
	return p.chain.Burns() || p.e.inForce().spec.Kind == source.KindIngest
}
