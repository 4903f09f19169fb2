// Package record keeps a stream's H.264 on disk as fragmented MP4 segments
// with the detections of every frame beside them, repairs what a crash left,
// deletes old segments, and reads spans, clips and detections back.
//
// A Store owns the folder; it hands out one Recorder per stream, which writes
// frames from one goroutine of its own. The layout on disk is in
// docs/recording.md ("On disk").
package record

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// MaxClip is the longest clip Clip and Export make.
const MaxClip = time.Hour

const (
	exportsDir = "exports"
	timeScale  = 90000 // MP4 ticks a second

	// nameLayout is a segment's start in its file name (UTC, ms).
	nameLayout = "20060102T150405.000Z"
	// clipLayout is a clip's start in its name (UTC, s).
	clipLayout = "20060102T150405Z"
	// gapAfter is the longest time between two frames of one segment: a
	// recorder closes its segment when nothing came for this long, and a
	// frame after a longer pause starts a new one.
	gapAfter = 2 * time.Second
	// mergeGap is the most two segments may be apart and still count as one
	// recorded span, when 1.5 frame intervals are longer.
	mergeGap = time.Second
	// retryAfter is how long a recorder stopped by a write error waits
	// before it tries again.
	retryAfter = time.Minute
)

var (
	// ErrNoRecording says nothing was recorded in the asked span; its
	// wrapping error names the span.
	ErrNoRecording = errors.New("nothing was recorded")
	// ErrTooLong says a clip asked for is longer than MaxClip.
	ErrTooLong = fmt.Errorf("a clip is at most %v long", MaxClip)
	// ErrBadDuration says a clip's duration is zero or negative.
	ErrBadDuration = errors.New("a clip's duration must be positive")
	// ErrBadStream says a stream's name cannot be a folder of the store.
	ErrBadStream = errors.New("this stream name cannot be recorded")
	// ErrRecording says a stream has an open recorder already.
	ErrRecording = errors.New("this stream is being recorded already")
	// ErrClosed says the store was closed.
	ErrClosed = errors.New("the recording store is closed")
)

// Options configure a Store.
type Options struct {
	// Dir is the root: one folder per stream, Dir/<stream>/, and exported
	// clips in Dir/exports/, which retention never touches.
	Dir string
	// Keep is how long segments are kept, by their end; 0 keeps them
	// whatever their age.
	Keep time.Duration
	// MaxSize bounds the bytes of all segments and their detection files
	// (not exports); 0 leaves it unbounded.
	MaxSize int64
	// Segment is how long a segment runs before the next keyframe starts a
	// new one: 5 minutes by default.
	Segment time.Duration
	// Fragment is the longest a frame waits before it is written and
	// synced to disk: 500 ms by default.
	Fragment time.Duration
	// Log gets a line when a recorder stops or resumes and when retention
	// or repair touch a file.
	Log *slog.Logger
	// Now is the clock retention ages segments by; time.Now by default.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Segment <= 0 {
		o.Segment = 5 * time.Minute
	}
	if o.Fragment <= 0 {
		o.Fragment = 500 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Log = o.Log.With("component", "record")
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Span is a stretch of time recorded without a break.
type Span struct {
	Start, End time.Time
}

// MarshalJSON writes {"start","end"} in RFC 3339 UTC with milliseconds.
func (s Span) MarshalJSON() ([]byte, error) {
	const layout = `"2006-01-02T15:04:05.000Z07:00"`
	b := []byte(`{"start":`)
	b = s.Start.UTC().AppendFormat(b, layout)
	b = append(b, `,"end":`...)
	b = s.End.UTC().AppendFormat(b, layout)
	return append(b, '}'), nil
}
