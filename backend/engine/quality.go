package engine

import (
	"context"
	"fmt"
	"image"

	"framecast/backend/encode"
	"framecast/backend/source"

	"gocv.io/x/gocv"
)

// QualityConfig is one measurement of what each codec keeps of a source's
// pictures (MeasureQuality).
type QualityConfig struct {
	Source              string // a source spec, as Settings.Source
	MaxWidth, MaxHeight int    // as Settings
	FPS                 int    // the source's rate, and the H.264 encoder's
	Quality             int    // JPEG quality
	Frames              int    // how many frames to measure
	// Warmup is how many frames are encoded first and not measured: an
	// H.264 encoder's rate control starts low and takes about a second
	// to reach its bitrate, and a stream's encoder is long past that
	// when most viewers watch.
	Warmup int
}

// CodecQuality is one codec's figures over the frames measured.
type CodecQuality struct {
	Bytes   float64 // a frame, mean
	SSIM    float64 // of the decoded picture's luma against the frame's, mean
	Bitrate int     // the encoder's target, bits a second; 0 for JPEG
}

// Quality is what MeasureQuality found.
type Quality struct {
	Frames        int
	Width, Height int
	JPEG, H264    CodecQuality
}

// measured is one frame on its way from the encoders to the SSIM: the
// frame's luma and both encodings of it.
type measured struct {
	raw    gocv.Mat // Y plane, 8-bit
	jpeg   []byte
	au     []byte
	warmup bool // decoded, not counted
}

// MeasureQuality reads frames from the source as the engine does (scaled
// to fit the maximum size), encodes each as the engine would for a viewer
// of the stream's own size, JPEG at the quality and H.264 at the default
// bitrate, decodes both, and compares each decoded picture with the frame
// it was encoded from (SSIM of the luma), after cfg.Warmup frames. The
// frames are read and encoded at the source's own pace, as a stream's
// are, and measured beside that.
func MeasureQuality(ctx context.Context, cfg QualityConfig) (Quality, error) {
	spec, err := source.ParseSpec(cfg.Source)
	if err != nil {
		return Quality{}, err
	}
	if cfg.FPS <= 0 {
		cfg.FPS = 30
	}
	src, err := source.Open(spec, source.Options{Width: cfg.MaxWidth, Height: cfg.MaxHeight, FPS: cfg.FPS})
	if err != nil {
		return Quality{}, err
	}
	defer func() { _ = src.Close() }()
	frames := make(chan measured, cfg.Warmup+cfg.Frames) // the encoders never wait for the SSIM
	var q Quality
	done := make(chan error, 1)
	go func() { done <- q.compare(frames) }()
	err = encodeFrames(ctx, src, cfg, &q, frames)
	close(frames)
	if cerr := <-done; err == nil {
		err = cerr
	}
	if q.Frames > 0 {
		n := float64(q.Frames)
		q.JPEG.Bytes, q.H264.Bytes, q.JPEG.SSIM, q.H264.SSIM = q.JPEG.Bytes/n, q.H264.Bytes/n, q.JPEG.SSIM/n, q.H264.SSIM/n
	}
	return q, err
}

// encodeFrames reads cfg.Warmup and cfg.Frames frames and sends each,
// encoded, to frames.
func encodeFrames(ctx context.Context, src source.Source, cfg QualityConfig, q *Quality, frames chan<- measured) error {
	grabbed, scaled, even, yuv := gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer grabbed.Close()
	defer scaled.Close()
	defer even.Close()
	defer yuv.Close()
	var enc *encode.H264
	defer func() {
		if enc != nil {
			enc.Close()
		}
	}()
	for i := range cfg.Warmup + cfg.Frames {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := src.Read(&grabbed); err != nil {
			return fmt.Errorf("read %s: %w", cfg.Source, err)
		}
		if grabbed.Empty() {
			return fmt.Errorf("read %s: an empty frame", cfg.Source)
		}
		out := scaleInto(grabbed, &scaled, cfg.MaxWidth, cfg.MaxHeight)
		w, h := out.Cols()&^1, out.Rows()&^1
		if enc == nil {
			var err error
			enc, err = encode.NewH264(encode.H264Config{Width: w, Height: h, FPS: float64(cfg.FPS), Bitrate: h264Bitrate(0, w, h, w, h, cfg.FPS, false)})
			if err != nil {
				return err
			}
			q.Width, q.Height, q.H264.Bitrate = w, h, enc.Config().Bitrate
		}
		buf, err := encodeJPEG(out, cfg.Quality)
		if err != nil {
			return err
		}
		jpeg := append([]byte(nil), buf.GetBytes()...)
		buf.Close()
		au, _, err := enc.Encode(out)
		if err != nil {
			return err
		}
		region := out.Region(image.Rect(0, 0, w, h))
		region.CopyTo(&even)
		region.Close()
		gocv.CvtColor(even, &yuv, gocv.ColorBGRToYUVI420)
		luma := yuv.RowRange(0, h)
		raw := luma.Clone()
		luma.Close()
		frames <- measured{raw: raw, jpeg: jpeg, au: append([]byte(nil), au...), warmup: i < cfg.Warmup}
	}
	return nil
}

// compare decodes each frame's encodings and adds up their sizes and SSIM
// into q, until frames is closed. On an error it keeps taking frames, to
// close them.
func (q *Quality) compare(frames <-chan measured) error {
	dec, err := encode.NewH264Decoder()
	if err != nil {
		for f := range frames {
			f.raw.Close()
		}
		return err
	}
	defer dec.Close()
	s := encode.NewSSIM()
	defer s.Close()
	pic, even, yuv := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer pic.Close()
	defer even.Close()
	defer yuv.Close()
	var failed error
	for f := range frames {
		if failed == nil {
			failed = q.add(f, dec, s, &pic, &even, &yuv)
		}
		f.raw.Close()
	}
	return failed
}

// add measures one frame.
func (q *Quality) add(f measured, dec *encode.H264Decoder, s *encode.SSIM, pic, even, yuv *gocv.Mat) error {
	w, h := f.raw.Cols(), f.raw.Rows()
	ok, err := dec.Decode(f.au, pic)
	if err != nil || !ok {
		return fmt.Errorf("decode H.264 frame %d: a picture %v, %w", q.Frames, ok, err)
	}
	if f.warmup {
		return nil // decoded all the same: the next frames refer to it
	}
	luma := pic.RowRange(0, h)
	h264, err := s.Of(f.raw, luma)
	luma.Close()
	if err != nil {
		return err
	}
	bgr, err := gocv.IMDecode(f.jpeg, gocv.IMReadColor)
	if err != nil {
		return fmt.Errorf("decode JPEG frame %d: %w", q.Frames, err)
	}
	defer bgr.Close()
	if bgr.Empty() {
		return fmt.Errorf("decode JPEG frame %d: no picture", q.Frames)
	}
	region := bgr.Region(image.Rect(0, 0, w, h))
	region.CopyTo(even)
	region.Close()
	gocv.CvtColor(*even, yuv, gocv.ColorBGRToYUVI420)
	luma = yuv.RowRange(0, h)
	jpeg, err := s.Of(f.raw, luma)
	luma.Close()
	if err != nil {
		return err
	}
	q.Frames++
	q.JPEG.Bytes += float64(len(f.jpeg))
	q.H264.Bytes += float64(len(f.au))
	q.JPEG.SSIM += jpeg
	q.H264.SSIM += h264
	return nil
}
