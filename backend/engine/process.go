package engine

import (
	"context"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/vision"

	"gocv.io/x/gocv"
)

// processor is the state owned by the processing goroutine alone.
type processor struct {
	e      *Engine
	chain  *vision.Chain
	scaled gocv.Mat
	small  gocv.Mat // a smaller rendition, reused
	burned gocv.Mat // a picture with its boxes drawn on, reused
	seq    uint64
	// encoders are the H.264 encoders of the keys viewers take, made for
	// Settings.Bitrate bitrate; smallH264 a smaller rendition for one,
	// reused.
	encoders  h264Encoders
	bitrate   int
	smallH264 gocv.Mat
}

// processing takes the newest captured frame, runs the chain, scales,
// encodes once and publishes, until ctx ends.
func (e *Engine) processing(ctx context.Context, chain *vision.Chain) {
	defer e.wg.Done()
	p := &processor{e: e, chain: chain, scaled: gocv.NewMat(), small: gocv.NewMat(), burned: gocv.NewMat(), smallH264: gocv.NewMat()}
	errs := errorSummary{log: e.log, msg: "process frame"}
	defer func() {
		p.scaled.Close()
		p.small.Close()
		p.burned.Close()
		p.smallH264.Close()
		p.closeEncoders()
		p.chain.Close()
		e.mu.Lock()
		if e.chain != nil { // set but never taken up
			e.chain.Close()
			e.chain = nil
		}
		e.mu.Unlock()
	}()
	for {
		e.stage.Store(stageWaiting)
		select {
		case <-ctx.Done():
			return
		case <-e.slot.ready:
		}
		g := e.slot.take()
		if g == nil {
			continue
		}
		if cpu, ok := processCPU(); ok {
			e.busyCPU.Store(int64(cpu))
		}
		if err := p.frame(g); err != nil {
			errs.report(err, time.Now())
		}
		e.slot.free <- g.mat
	}
}

// takeChain switches to a chain set since the last frame.
func (p *processor) takeChain() {
	p.e.mu.Lock()
	next := p.e.chain
	p.e.chain = nil
	p.e.mu.Unlock()
	if next != nil {
		p.chain.Close()
		p.chain = next
	}
}

func (p *processor) frame(g *grabbed) error {
	p.takeChain()
	s := p.e.Settings()
	// The source's own detections (a producer's) come first.
	dets := g.dets
	var times []protocol.ProcTime
	clock := newStageClock()
	if !g.placeholder {
		p.e.stage.Store(stageChain)
		found, t, err := p.chain.Run(&g.mat)
		if err != nil {
			return err
		}
		dets, times = append(dets, found...), t
		if o := p.e.observer; o != nil {
			for _, t := range times {
				o.ObserveProcess(t.Name, time.Duration(t.Ms*float64(time.Millisecond)))
			}
		}
	}
	var cost stageCosts
	cost.chain = clock.lap()
	p.e.stage.Store(stageEncode)
	srcW := g.mat.Cols()
	out := scaleInto(g.mat, &p.scaled, s.MaxWidth, s.MaxHeight)
	scaleDetections(dets, float64(out.Cols())/float64(srcW))
	p.seq++
	h := protocol.Header{Seq: p.seq, TS: g.ts.UnixMicro(), W: out.Cols(), H: out.Rows(),
		Detections: dets, Proc: times, Meta: g.meta, Placeholder: g.placeholder}
	taken := p.e.hub.Taken()
	if s.Codec == CodecJPEG {
		withoutH264(taken, p.e.hub.Tapped())
	}
	if s.Bitrate != p.bitrate {
		// New encoders at the new bitrate, each starting at a keyframe.
		p.closeEncoders()
		p.bitrate = s.Bitrate
	}
	jpeg := !h264Only(taken)
	var enc encoded
	if jpeg {
		var err error
		if enc, err = p.jpeg(out, h, taken, s.Quality, &cost, &clock); err != nil {
			return err
		}
	}
	start := time.Now()
	h264Size, err := p.h264(out, h, taken, s.FPS, s.Bitrate)
	if err != nil {
		return err
	}
	if jpeg {
		cost.renditions += clock.lap() // H.264 besides JPEG: more copies of the frame
	} else {
		enc = encoded{bytes: h264Size, took: time.Since(start)}
		cost.encode = clock.lap()
	}
	p.e.sized(out.Cols(), out.Rows())
	p.e.recordFrame(time.Now(), out.Cols(), out.Rows(), enc, p.chain.Costs(), cost)
	return nil
}

// encoded is what the stream's figures say of a frame: the size and
// encoding time of its own-size picture, or of the largest copy made when
// no viewer took the own size (rendition names it then).
type encoded struct {
	bytes     int
	took      time.Duration
	rendition string
}

// h264Only reports whether every hub key viewers take is an H.264 one:
// then no JPEG is made at all.
func h264Only(taken map[string]bool) bool {
	if len(taken) == 0 {
		return false
	}
	for key := range taken {
		if _, codec := hub.SplitKey(key); codec != protocol.CodecH264 {
			return false
		}
	}
	return true
}

// moreJPEG reports whether viewers take JPEG pictures besides the own
// size's: smaller renditions, or pictures with the boxes burned in.
func moreJPEG(taken map[string]bool) bool {
	for key := range taken {
		if _, codec := hub.SplitKey(key); key != "" && codec == protocol.CodecJPEG {
			return true
		}
	}
	return false
}

// jpeg encodes out as the stream's own JPEG frame, publishes it, and the
// smaller JPEG renditions and burned-in pictures taken; it returns the
// JPEG's size and how long its encoding took.
func (p *processor) jpeg(out gocv.Mat, h protocol.Header, taken map[string]bool, quality int, cost *stageCosts, clock *stageClock) (encoded, error) {
	// The own size is encoded unless viewers take only smaller copies (a
	// grid of tiles, say): with nobody watching it keeps the latest picture
	// ready for the first viewer.
	if len(taken) > 0 && !taken[""] && !taken[hub.BurnKey("")] {
		p.e.stage.Store(stageRenditions)
		enc, err := p.renditions(out, h, taken, p.burns())
		cost.encode = clock.lap()
		return enc, err
	}
	start := time.Now()
	buf, err := encodeJPEG(out, quality)
	if err != nil {
		return encoded{}, err
	}
	defer buf.Close()
	took := time.Since(start)
	// NewFrame copies the JPEG from native memory into the wire message:
	// the only copy it gets.
	f, err := hub.NewFrame(h, buf.GetBytes())
	if err != nil {
		return encoded{}, err
	}
	p.e.hub.Publish(f)
	p.e.encoded(protocol.CodecJPEG, len(f.Data), time.Now())
	cost.encode = clock.lap()
	// taken's JPEG keys are plain names (CodecKey): looked up as they are.
	if moreJPEG(taken) {
		p.e.stage.Store(stageRenditions)
		burns := p.burns()
		if burns && taken[hub.BurnKey("")] {
			if err := p.burn(out, f, hub.BurnKey(""), quality); err != nil {
				return encoded{}, err
			}
		}
		if _, err := p.renditions(out, h, taken, burns); err != nil {
			return encoded{}, err
		}
		cost.renditions = clock.lap()
	}
	return encoded{bytes: len(f.Data), took: took}, nil
}

// burn publishes under key the picture m, which f is the clean encoding
// of, with f's detections drawn onto it, for clients that cannot draw
// them. Without detections f's own bytes serve.
func (p *processor) burn(m gocv.Mat, f *hub.Frame, key string, quality int) error {
	if len(f.Header.Detections) == 0 {
		p.e.hub.Publish(f.As(key))
		return nil
	}
	m.CopyTo(&p.burned)
	vision.Burn(&p.burned, f.Header.Detections)
	buf, err := encodeJPEG(p.burned, quality)
	if err != nil {
		return err
	}
	defer buf.Close()
	bf, err := hub.NewFrame(f.Header, buf.GetBytes())
	if err != nil {
		return err
	}
	p.e.encoded(protocol.CodecJPEG, len(bf.Data), time.Now())
	bf.Rendition = key
	p.e.hub.Publish(bf)
	return nil
}

// scaleDetections moves boxes found on the captured frame onto the scaled
// frame that is sent.
func scaleDetections(dets []protocol.Detection, k float64) {
	if k == 1 {
		return
	}
	for i := range dets {
		for j := range dets[i].Box {
			dets[i].Box[j] = int(float64(dets[i].Box[j])*k + 0.5)
		}
	}
}
