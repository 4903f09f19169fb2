package engine

import (
	"log/slog"
	"time"
)

// errSummaryEvery is how often a repeating error is logged again.
const errSummaryEvery = 10 * time.Second

// errorSummary logs a repeating error once, then how many times it came
// back, at most once per errSummaryEvery: a processor failing on every
// frame must not flood the log. Used by one goroutine.
type errorSummary struct {
	log    *slog.Logger
	msg    string
	last   string
	count  int
	logged time.Time
}

func (s *errorSummary) report(err error, now time.Time) {
	text := err.Error()
	if text != s.last || now.Sub(s.logged) >= errSummaryEvery {
		if s.count > 0 {
			s.log.Error(s.msg, "err", s.last, "repeated", s.count, "over", now.Sub(s.logged).Round(time.Second))
		}
		if text != s.last || s.count == 0 {
			s.log.Error(s.msg, "err", text)
		}
		s.last, s.count, s.logged = text, 0, now
		return
	}
	s.count++
}
