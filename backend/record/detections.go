package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"framecast/backend/protocol"
)

// Query picks detections.
type Query struct {
	Start    time.Time
	Duration time.Duration
	// Label keeps only detections of this label; "" keeps any.
	Label string
	// Every, when positive, keeps at most one detection of each label per
	// this much time (the first): enough for a timeline's marks.
	Every time.Duration
	// Limit, when positive, is the most detections returned.
	Limit int
}

// Detection is one thing the vision chain saw in a recorded frame.
type Detection struct {
	TS    time.Time // the frame's capture time
	Label string
	Score float64
	Box   [4]int // x, y, w, h in the frame's pixels
}

const detectionTSLayout = "2006-01-02T15:04:05.000000Z07:00"

type detectionJSON struct {
	TS    string  `json:"ts"`
	Label string  `json:"label"`
	Score float64 `json:"score"`
	Box   [4]int  `json:"box"`
}

// MarshalJSON writes {"ts","label","score","box"} with ts in RFC 3339 UTC
// with microseconds.
func (d Detection) MarshalJSON() ([]byte, error) {
	return json.Marshal(detectionJSON{TS: d.TS.UTC().Format(detectionTSLayout), Label: d.Label, Score: d.Score, Box: d.Box})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Detection) UnmarshalJSON(b []byte) error {
	var j detectionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	ts, err := time.Parse(time.RFC3339Nano, j.TS)
	if err != nil {
		return err
	}
	*d = Detection{TS: ts, Label: j.Label, Score: j.Score, Box: j.Box}
	return nil
}

// detectionLine is one line of a segment's .jsonl file: the capture time in
// Unix microseconds, then the detection.
type detectionLine struct {
	TS    int64   `json:"ts"`
	Label string  `json:"label"`
	Score float64 `json:"score"`
	Box   [4]int  `json:"box"`
}

// appendDetectionLine appends one line of a .jsonl file.
func appendDetectionLine(b []byte, ts int64, d protocol.Detection) []byte {
	b = append(b, `{"ts":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"label":`...)
	b = appendJSONString(b, d.Label)
	b = append(b, `,"score":`...)
	score := d.Score
	if math.IsNaN(score) || math.IsInf(score, 0) {
		score = 0
	}
	b = strconv.AppendFloat(b, score, 'g', -1, 64)
	b = append(b, `,"box":[`...)
	for i, v := range d.Box {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, "]}\n"...)
}

func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// lineTS reads the capture time at the start of a .jsonl line without
// decoding the rest.
func lineTS(line []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"ts":`))
	if !ok {
		return 0, false
	}
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return 0, false
	}
	ts, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return ts, err == nil
}

// lineLabel reads the label of a .jsonl line as appendDetectionLine wrote
// it, without decoding the rest; false for a label it escaped.
func lineLabel(line []byte) ([]byte, bool) {
	_, rest, ok := bytes.Cut(line, []byte(`,"label":"`))
	if !ok {
		return nil, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return nil, false
	}
	return rest[:end], true
}

// Detections returns the stream's recorded detections in q's span, oldest
// first.
func (s *Store) Detections(stream string, q Query) ([]Detection, error) {
	if q.Duration <= 0 {
		return nil, ErrBadDuration
	}
	from, to := q.Start.UnixMicro(), q.Start.Add(q.Duration).UnixMicro()
	files, err := s.detectionFiles(stream, q.Start, q.Start.Add(q.Duration))
	if err != nil {
		return nil, err
	}
	var (
		out  []Detection
		last = map[string]int64{} // label → the time of its last detection kept, for Every
	)
	// keep says whether a line of this time and label is wanted, from
	// what it can read without decoding the line.
	keep := func(ts int64, label []byte) bool {
		if q.Label != "" && string(label) != q.Label {
			return false
		}
		if q.Every > 0 {
			if prev, ok := last[string(label)]; ok && ts-prev < q.Every.Microseconds() {
				return false
			}
			last[string(label)] = ts
		}
		return true
	}
	for _, df := range files {
		done, err := scanDetections(df, from, to, func(ts int64, line []byte) bool {
			label, plain := lineLabel(line)
			if plain && !keep(ts, label) {
				return true
			}
			var l detectionLine
			if json.Unmarshal(line, &l) != nil {
				return true
			}
			if !plain && !keep(l.TS, []byte(l.Label)) {
				return true
			}
			out = append(out, Detection{TS: time.UnixMicro(l.TS).UTC(), Label: l.Label, Score: l.Score, Box: l.Box})
			return q.Limit <= 0 || len(out) < q.Limit
		})
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	return out, nil
}

// detectionFile is a segment's .jsonl and how many of its bytes belong to
// fragments on disk.
type detectionFile struct {
	path string
	size int64
}

// scanDetections calls fn with each line of the file whose time is in
// [from, to), until fn returns false; done says it did.
func scanDetections(df detectionFile, from, to int64, fn func(ts int64, line []byte) bool) (done bool, err error) {
	f, err := os.Open(df.path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // deleted by retention meanwhile
	}
	if err != nil {
		return false, fmt.Errorf("record: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, df.size))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		ts, ok := lineTS(line)
		if !ok || ts < from {
			continue
		}
		if ts >= to {
			return false, nil // lines are in time order
		}
		if !fn(ts, line) {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("record: read %s: %w", df.path, err)
	}
	return false, nil
}
