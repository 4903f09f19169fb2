package record

import (
	"encoding/json"
	"testing"
	"time"

	"framecast/backend/protocol"
)

func TestDetectionsByRangeLabelEveryAndLimit(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir, Segment: 4 * time.Second})
	s.idle = time.Hour
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	feed(r, encoded(t, 320, 240, 120), 320, 240, t0, 0, 300, motion) // 10 s in 2 segments and an open one
	for len(s.Spans("cam")) == 0 || s.Spans("cam")[0].End.Before(frameTime(t0, 299)) {
		time.Sleep(5 * time.Millisecond)
	}
	type want struct {
		n            int
		first, last  int // frames
		label        string
		firstLabeled string
	}
	cases := []struct {
		name string
		q    Query
		want want
	}{
		{"a second of every label", Query{Start: frameTime(t0, 30), Duration: time.Second}, want{n: 33, first: 30, last: 59, firstLabeled: "motion"}},
		{"the span's start counts, its end does not", Query{Start: frameTime(t0, 10), Duration: 10 * frameDur}, want{n: 11, first: 10, last: 19}},
		{"one label", Query{Start: t0, Duration: time.Hour, Label: "person"}, want{n: 30, first: 0, last: 290, label: "person"}},
		{"every 1 s per label", Query{Start: t0, Duration: 10 * time.Second, Every: time.Second}, want{n: 20, first: 0, last: 270}},
		{"every 1 s of one label", Query{Start: t0, Duration: 10 * time.Second, Every: time.Second, Label: "motion"}, want{n: 10, first: 0, last: 270, label: "motion"}},
		{"a limit", Query{Start: frameTime(t0, 100), Duration: time.Hour, Label: "motion", Limit: 5}, want{n: 5, first: 100, last: 104}},
		{"nothing before the recording", Query{Start: t0.Add(-time.Hour), Duration: time.Hour - time.Millisecond}, want{}},
		{"an unknown label", Query{Start: t0, Duration: time.Hour, Label: "cat"}, want{}},
	}
	check := func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.Detections("cam", tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tc.want.n {
					t.Fatalf("%d detections, want %d: %v", len(got), tc.want.n, got)
				}
				if tc.want.n == 0 {
					return
				}
				if !got[0].TS.Equal(frameTime(t0, tc.want.first).Truncate(time.Microsecond)) || !got[len(got)-1].TS.Equal(frameTime(t0, tc.want.last).Truncate(time.Microsecond)) {
					t.Errorf("from %v to %v, want frames %d to %d", got[0].TS, got[len(got)-1].TS, tc.want.first, tc.want.last)
				}
				for i, d := range got {
					if i > 0 && d.TS.Before(got[i-1].TS) {
						t.Errorf("not oldest first at %d", i)
					}
					if tc.want.label != "" && d.Label != tc.want.label {
						t.Errorf("label %s", d.Label)
					}
				}
				if tc.want.firstLabeled != "" && got[0].Label != tc.want.firstLabeled {
					t.Errorf("the first is %s", got[0].Label)
				}
			})
		}
	}
	t.Run("while recording", check)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, Options{Dir: dir})
	t.Run("read back from disk", check)

	got, _ := s.Detections("cam", Query{Start: frameTime(t0, 7), Duration: frameDur})
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"ts":"2026-12-06T14:03:05.356789Z","label":"motion","score":0.57,"box":[7,2,30,40]}]`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back []Detection
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 || !back[0].TS.Equal(got[0].TS) || back[0] != got[0] {
		t.Errorf("read back %v (%v), want %v", back, err, got)
	}
	spans, _ := json.Marshal(s.Spans("cam"))
	if want := `[{"start":"2026-12-06T14:03:05.123Z","end":"2026-12-06T14:03:15.123Z"}]`; string(spans) != want {
		t.Errorf("spans JSON %s, want %s", spans, want)
	}
}

func TestDetectionsWithLabelsJSONEscapes(t *testing.T) {
	s := openStore(t, Options{})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{`say "hi"`, "oiseau</script>", "grüße"}
	feed(r, encoded(t, 320, 240, 120), 320, 240, t0, 0, 60, func(i int) []protocol.Detection {
		return []protocol.Detection{{Label: labels[i%3], Score: 1}}
	})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		got, err := s.Detections("cam", Query{Start: t0, Duration: time.Hour, Label: l, Every: 10 * frameDur})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[0].Label != l {
			t.Errorf("%q: %v, want 5 of it (one in 0.4 s of 2 s)", l, got)
		}
	}
}
