package engine

import (
	"time"

	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// Stats is the stream's state; see protocol.Stats.
type Stats = protocol.Stats

// Stats returns the stream's current figures.
func (e *Engine) Stats() Stats {
	now := time.Now()
	e.mu.Lock()
	st, s, cause := e.stats, e.settings, e.skipCause
	e.mu.Unlock()
	st.Source, st.Enabled, st.Quality = s.Source, s.Enabled, s.Quality
	st.MaxWidth, st.MaxHeight, st.FPSCap = s.MaxWidth, s.MaxHeight, s.FPS
	st.Process = append([]vision.Item{}, s.Process...)
	st.Chain = append([]protocol.ProcTime{}, st.Chain...)
	st.Skipped = e.skipped.Load()
	st.SkipCause = e.skipWarning(now, cause)
	st.Captured, st.Encoded = e.nCaptured.Load(), e.nEncoded.Load()
	st.CaptureFPS = e.captured.Rate(now)
	st.OutputFPS = e.output.Rate(now)
	st.JPEGBitrate, st.H264Bitrate = 8*e.jpegBytes.Rate(now), 8*e.h264Bytes.Rate(now)
	return st
}

// encoded counts n bytes encoded in codec at now, for Stats' bitrates.
func (e *Engine) encoded(codec string, n int, now time.Time) {
	if codec == protocol.CodecH264 {
		e.h264Bytes.Add(now, uint64(n))
	} else {
		e.jpegBytes.Add(now, uint64(n))
	}
}

// recordFrame notes a published frame's figures.
func (e *Engine) recordFrame(now time.Time, w, h int, enc encoded, chain []protocol.ProcTime, cost stageCosts) {
	encode := enc.took
	e.output.Tick(now)
	e.nEncoded.Add(1)
	if e.observer != nil {
		e.observer.ObserveEncode(encode)
	}
	ms := float64(encode.Microseconds()) / 1000
	e.mu.Lock()
	if e.stats.EncodeMs == 0 {
		e.stats.EncodeMs = ms
	} else {
		e.stats.EncodeMs = 0.9*e.stats.EncodeMs + 0.1*ms
	}
	if sending(e.stats.State) {
		// A frame still on its way when the last viewer left or the camera
		// went off is sent to nobody: it sets no size.
		e.stats.Width, e.stats.Height, e.stats.FrameBytes, e.stats.FrameRendition = w, h, enc.bytes, enc.rendition
	}
	e.stats.Chain = chain
	e.costs.smooth(cost)
	e.mu.Unlock()
}
