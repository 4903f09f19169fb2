package engine

import (
	"time"

	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// Stats is the stream's state as /api/state and the desktop app show it.
type Stats struct {
	Source     string  `json:"source"`
	State      string  `json:"state"`
	Enabled    bool    `json:"enabled"`
	CaptureFPS float64 `json:"captureFps"`
	OutputFPS  float64 `json:"outputFps"`
	Width      int     `json:"width"`  // of the last frame sent
	Height     int     `json:"height"` // of the last frame sent
	Quality    int     `json:"quality"`
	MaxWidth   int     `json:"maxWidth"`
	MaxHeight  int     `json:"maxHeight"`
	FPSCap     int     `json:"fpsCap"`
	EncodeMs   float64 `json:"encodeMs"`   // smoothed JPEG encode time
	FrameBytes int     `json:"frameBytes"` // size of the last JPEG
	Error      string  `json:"error"`      // why the source is failing, while it is
	// Process is the processing chain as set.
	Process []vision.Item `json:"process"`
	// Chain is each processor's smoothed time per frame, in chain order.
	Chain []protocol.ProcTime `json:"chain"`
	// Skipped counts frames dropped because processing was still busy
	// with an earlier one.
	Skipped uint64 `json:"skipped,omitempty"`
	// Captured and Encoded count frames since the engine started; a relay
	// does neither.
	Captured uint64 `json:"captured,omitempty"`
	Encoded  uint64 `json:"encoded,omitempty"`
	// Received counts the pictures a relay took from its producers and
	// Refused the producer messages it refused, the last of them with its
	// reason in LastRefusal. On a relay CaptureFPS is the rate pictures
	// arrive at and OutputFPS the rate they are passed on to viewers.
	Received    uint64 `json:"received,omitempty"`
	Refused     uint64 `json:"refused,omitempty"`
	LastRefusal string `json:"lastRefusal,omitempty"`
}

// Stats returns the stream's current figures.
func (e *Engine) Stats() Stats {
	now := time.Now()
	e.mu.Lock()
	st, s := e.stats, e.settings
	e.mu.Unlock()
	st.Source, st.Enabled, st.Quality = s.Source, s.Enabled, s.Quality
	st.MaxWidth, st.MaxHeight, st.FPSCap = s.MaxWidth, s.MaxHeight, s.FPS
	st.Process = append([]vision.Item{}, s.Process...)
	st.Chain = append([]protocol.ProcTime{}, st.Chain...)
	st.Skipped = e.skipped.Load()
	st.Captured, st.Encoded = e.nCaptured.Load(), e.nEncoded.Load()
	st.CaptureFPS = e.captured.Rate(now)
	st.OutputFPS = e.output.Rate(now)
	return st
}

// recordFrame notes a published frame's figures.
func (e *Engine) recordFrame(now time.Time, w, h, size int, encode time.Duration, chain []protocol.ProcTime) {
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
	e.stats.Width, e.stats.Height, e.stats.FrameBytes = w, h, size
	e.stats.Chain = chain
	e.mu.Unlock()
}
