package engine

import (
	"image"
	"time"

	"framecast/backend/encode"
	"framecast/backend/hub"
	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// h264BitsPerPixel sets an H.264 encoder's target bitrate from its picture
// size and rate: 0.07 bit a pixel a frame is about 2 Mbit/s at 1280×720 and
// 30 fps, a fifth of the JPEG stream at quality 80.
const h264BitsPerPixel = 0.07

// h264LowShare is a rendition's lower step (hub.LowKey) as a share of its
// bitrate: half, so an adapting viewer's ladder halves at each step
// (720p, 720p at half, 360p, which is a quarter of 720p, …).
const h264LowShare = 0.5

// h264Bitrate is the target bitrate of the encoder of a w×h picture at fps
// frames a second, of a stream whose own size is ownW×ownH, under the
// setting (Settings.Bitrate: bits a second for the own size; 0:
// h264BitsPerPixel), at the lower step (hub.LowKey) when low says. A
// smaller rendition gets its share of the setting by pixel count. Every
// encoder's bitrate comes from here.
func h264Bitrate(setting, w, h, ownW, ownH, fps int, low bool) int {
	bps := h264BitsPerPixel * float64(w*h*fps)
	if setting > 0 && ownW*ownH > 0 {
		bps = float64(setting) * float64(w*h) / float64(ownW*ownH)
	}
	if low {
		bps *= h264LowShare
	}
	return int(bps)
}

// BitrateSteps reports that the engine encodes each H.264 rendition at
// half its bitrate too (hub.LowKey), while a viewer takes it: the step an
// H.264 viewer's link adaptation takes before a smaller size.
func (e *Engine) BitrateSteps() bool { return true }

// h264Encoders are the processing goroutine's H.264 encoders, one per hub
// key a viewer takes (the stream's own size and each rendition, and each
// one's lower bitrate step, each its own encoder), made when first taken
// and closed when nobody takes it.
type h264Encoders map[string]*encode.H264

// h264 encodes out (the stream's own size) or a smaller rendition of it to
// H.264 for every H.264 hub key in taken, and publishes the frames. h is
// the own size's header; bitrate is Settings.Bitrate. It returns the size
// of the own size's access unit, 0 when nobody takes it.
func (p *processor) h264(out gocv.Mat, h protocol.Header, taken map[string]bool, fps, bitrate int) (int, error) {
	own := 0
	now := time.Now()
	resized := "" // the rendition in p.smallH264 now: its lower step shares it
	for key, enc := range p.encoders {
		if !taken[key] {
			enc.Close()
			delete(p.encoders, key)
		}
	}
	for key := range taken {
		name, codec := hub.SplitKey(key)
		if codec != protocol.CodecH264 {
			continue
		}
		pic := out
		if name != "" {
			r, ok := p.rendition(name)
			if !ok || r.W >= out.Cols() || r.H >= out.Rows() {
				continue // not offered at this size: the viewer is moved (relist)
			}
			if resized != name {
				w, hh := fit(out.Cols(), out.Rows(), r.W, r.H)
				gocv.Resize(out, &p.smallH264, image.Pt(w, hh), 0, 0, gocv.InterpolationArea)
				resized = name
			}
			pic = p.smallH264
		}
		low := hub.IsLow(key)
		enc, err := p.encoder(key, pic.Cols(), pic.Rows(), fps, h264Bitrate(bitrate, pic.Cols(), pic.Rows(), out.Cols(), out.Rows(), fps, low))
		if err != nil {
			return 0, err
		}
		if p.e.hub.KeyDue(key, now) {
			enc.RequestKey()
		}
		au, isKey, err := enc.Encode(pic)
		if err != nil {
			return 0, err
		}
		if name == "" && (own == 0 || !low) {
			own = len(au) // the own size's, or its lower step's when only that is taken
		}
		p.e.encoded(protocol.CodecH264, len(au), now)
		if isKey {
			p.e.hub.KeyMade(key, now)
		}
		cfg := enc.Config()
		fh := h
		fh.W, fh.H, fh.Rendition, fh.Codec, fh.Key, fh.Bitrate = cfg.Width, cfg.Height, name, protocol.CodecH264, isKey, cfg.Bitrate
		if low {
			fh.Step = protocol.StepLow
		}
		fh.Detections = scaledCopy(h.Detections, float64(pic.Cols())/float64(out.Cols()))
		f, err := hub.NewFrame(fh, au)
		if err != nil {
			return 0, err
		}
		f.Rendition = key
		p.e.hub.Publish(f)
	}
	return own, nil
}

// encoder is key's encoder for pictures of w×h at fps and bps bits a
// second; made anew when the size changed (a new source, a new max size),
// told a new bitrate when that changed (the setting, a lower step).
func (p *processor) encoder(key string, w, h, fps, bps int) (*encode.H264, error) {
	if fps <= 0 {
		fps = 30
	}
	if enc, ok := p.encoders[key]; ok {
		c := enc.Config()
		if c.Width == w&^1 && c.Height == h&^1 {
			if c.Bitrate != bps {
				if err := enc.SetBitrate(bps); err != nil {
					return nil, err
				}
			}
			return enc, nil
		}
		enc.Close()
		delete(p.encoders, key)
	}
	enc, err := encode.NewH264(encode.H264Config{Width: w, Height: h, FPS: float64(fps), Bitrate: bps})
	if err != nil {
		return nil, err
	}
	if p.encoders == nil {
		p.encoders = make(h264Encoders)
	}
	p.encoders[key] = enc
	return enc, nil
}

// rendition is the stream's smaller rendition called name.
func (p *processor) rendition(name string) (protocol.Rendition, bool) {
	for _, r := range p.e.lower() {
		if r.Name == name {
			return r, true
		}
	}
	return protocol.Rendition{}, false
}

// closeEncoders closes every H.264 encoder.
func (p *processor) closeEncoders() {
	for key, enc := range p.encoders {
		enc.Close()
		delete(p.encoders, key)
	}
}
