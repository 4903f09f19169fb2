package engine

import (
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestAnOutageIsLoggedOnceThenSummarised(t *testing.T) {
	cases := []struct {
		name string
		// failures are seconds after the first failure (at 0).
		failures []int
		want     []string
	}{
		{"one failure is one line", []int{0}, []string{"source lost; retrying"}},
		{"failures within the summary period add no line", []int{0, 1, 3, 7, 15, 25}, []string{"source lost; retrying"}},
		{"failures for a minute get a summary each half minute", []int{0, 10, 20, 30, 40, 50, 60, 70},
			[]string{"source lost; retrying", "source still failing", "source still failing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := &logLines{}
			o := outage{log: slog.New(logs)}
			t0 := time.Unix(1_800_000_000, 0)
			for _, s := range c.failures {
				o.fail("http://user:secret@cam/clip.mp4", errors.New("source stopped giving frames"), t0.Add(time.Duration(s)*time.Second))
			}
			if got := logs.about(""); !slices.Equal(got, c.want) {
				t.Fatalf("lines %q, want %q", got, c.want)
			}
			if o.failures != len(c.failures) {
				t.Fatalf("%d failures counted, want %d", o.failures, len(c.failures))
			}
			o.end("http://user:secret@cam/clip.mp4", t0.Add(100*time.Second))
			if o.active() || len(logs.about("source back")) != 1 {
				t.Fatalf("after end: active %v, lines %q; want one \"source back\" and no outage", o.active(), logs.about(""))
			}
		})
	}
}
