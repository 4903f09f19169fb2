package engine

import (
	"log/slog"
	"time"

	"framecast/backend/protocol"
)

// outageSummaryEvery is how often a source that keeps failing is logged
// again.
const outageSummaryEvery = 30 * time.Second

// outage logs a source's failing stretch: its first failure, then at most
// one summary per outageSummaryEvery (how many failures since when, and the
// newest reason), and, once the source is back and has stayed back, how long
// it was down. A source retried for hours writes a line every half minute,
// not a "lost"/"back" pair per retry. Used by the capture goroutine alone.
type outage struct {
	log      *slog.Logger
	since    time.Time // the first failure; zero while there is none
	failures int       // since then, the first included
	logged   time.Time // when the last line was written
}

// active reports whether the source has failed and not yet proved itself back.
func (o *outage) active() bool { return !o.since.IsZero() }

// fail records a failure of source (a spec) at now.
func (o *outage) fail(source string, err error, now time.Time) {
	o.failures++
	if !o.active() {
		o.since, o.logged = now, now
		o.log.Warn("source lost; retrying", "source", protocol.Redact(source), "err", err)
		return
	}
	if now.Sub(o.logged) >= outageSummaryEvery {
		o.logged = now
		o.log.Warn("source still failing", "source", protocol.Redact(source), "failures", o.failures,
			"since", o.since.Format(time.TimeOnly), "err", err)
	}
}

// end logs that source has been back since back, and closes the outage.
func (o *outage) end(source string, back time.Time) {
	o.log.Info("source back", "source", protocol.Redact(source), "down", back.Sub(o.since).Round(100*time.Millisecond),
		"failures", o.failures)
	*o = outage{log: o.log}
}
