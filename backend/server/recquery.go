package server

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"framecast/backend/protocol"
)

// The bounds of a recording query: what one request may ask for.
const (
	// MaxClip is the longest clip.mp4 serves: an hour of 720p H.264 is
	// about a gigabyte.
	MaxClip = time.Hour
	// MaxDetectionSpan is the longest span one api/detections request
	// looks through.
	MaxDetectionSpan = 24 * time.Hour
	// DefaultDetections and MaxDetections bound the detections one answer
	// holds (limit=).
	DefaultDetections = 1000
	MaxDetections     = 10000
	// maxQuery bounds a recording request's query string, token included.
	maxQuery = 1024
	// maxLabel bounds a label asked for: the vision chain's labels are
	// short words.
	maxLabel = 64
)

// span is a stretch of time asked for: start=<RFC 3339> and
// duration=<5s, 1m30s…> or end=<RFC 3339>.
type span struct {
	start time.Time
	d     time.Duration
}

// parseSpan reads start= and duration= (or end=) of q, the duration from
// more than 0 to max. Its errors say what to write instead.
func parseSpan(q url.Values, max time.Duration) (span, error) {
	s := q.Get("start")
	if s == "" {
		return span{}, fmt.Errorf("start is missing: give start=<time> in RFC 3339, such as %s", exampleTime)
	}
	start, err := parseTime("start", s)
	if err != nil {
		return span{}, err
	}
	var d time.Duration
	switch ds, es := q.Get("duration"), q.Get("end"); {
	case ds != "" && es != "":
		return span{}, fmt.Errorf("give duration= or end=, not both")
	case es != "":
		end, err := parseTime("end", es)
		if err != nil {
			return span{}, err
		}
		if !end.After(start) {
			return span{}, fmt.Errorf("end %s is not after start %s", formatMillis(end), formatMillis(start))
		}
		d = end.Sub(start)
	case ds != "":
		if d, err = time.ParseDuration(ds); err != nil {
			return span{}, fmt.Errorf("duration %s: write a duration such as 5s, 90s or 1m30s", protocol.Quote(ds))
		}
		if d <= 0 {
			return span{}, fmt.Errorf("duration %s: must be more than 0", protocol.Quote(ds))
		}
	default:
		return span{}, fmt.Errorf("duration is missing: give duration=<5s, 1m…> or end=<time>")
	}
	if d > max {
		return span{}, fmt.Errorf("%s asked for: at most %s at a time", d, max)
	}
	return span{start: start, d: d}, nil
}

// exampleTime is an RFC 3339 time, for error messages.
const exampleTime = "2026-12-06T14:03:05Z"

// parseTime reads an RFC 3339 time (fractions of a second and any offset
// allowed) of the query key name.
func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s: write a time in RFC 3339, such as %s or 2026-12-06T15:03:05.250+01:00", name, protocol.Quote(s), exampleTime)
	}
	if t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%s %s: not a time anything was recorded at", name, protocol.Quote(s))
	}
	return t, nil
}

// detectionQuery is what api/detections is asked.
type detectionQuery struct {
	span
	label string
	every time.Duration
	limit int
}

// parseDetectionQuery reads api/detections' query: a span (parseSpan) of
// at most MaxDetectionSpan, label=, every= (at most one detection per
// label per that much time) and limit=.
func parseDetectionQuery(q url.Values) (detectionQuery, error) {
	sp, err := parseSpan(q, MaxDetectionSpan)
	if err != nil {
		return detectionQuery{}, err
	}
	dq := detectionQuery{span: sp, limit: DefaultDetections}
	if l := q.Get("label"); l != "" {
		if len(l) > maxLabel || strings.IndexFunc(l, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			return detectionQuery{}, fmt.Errorf("label: at most %d printable characters", maxLabel)
		}
		dq.label = l
	}
	if e := q.Get("every"); e != "" {
		if dq.every, err = time.ParseDuration(e); err != nil || dq.every < 0 || dq.every > MaxDetectionSpan {
			return detectionQuery{}, fmt.Errorf("every %s: write a duration from 0 to %s, such as 5s", protocol.Quote(e), MaxDetectionSpan)
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxDetections {
			return detectionQuery{}, fmt.Errorf("limit %s: a number from 1 to %d", protocol.Quote(l), MaxDetections)
		}
		dq.limit = n
	}
	return dq, nil
}

// formatMillis writes t in RFC 3339, UTC, to the millisecond: the times of
// api/recordings.
func formatMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// formatMicros writes t in RFC 3339, UTC, to the microsecond: the times of
// api/detections, which tell frames apart.
func formatMicros(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00") }
