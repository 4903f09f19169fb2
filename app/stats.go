package app

import (
	"context"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
)

// Stats is what the stats strip and the viewer list show.
type Stats struct {
	engine.Stats
	BandwidthBps float64     `json:"bandwidthBps"` // bytes a second sent to all viewers
	Viewers      []hub.Stats `json:"viewers"`      // remote viewers, not the window's preview
	Remote       int         `json:"remote"`
}

// bandwidth turns byte counters into a rate between two looks.
type bandwidth struct {
	last  uint64
	at    time.Time
	total func() uint64
}

func (b *bandwidth) rate(now time.Time) float64 {
	total := b.total()
	var bps float64
	if !b.at.IsZero() && total >= b.last {
		bps = float64(total-b.last) / now.Sub(b.at).Seconds()
	}
	b.last, b.at = total, now
	return bps
}

// State returns the stream's figures now (bandwidth as of the last event).
func (a *App) State() (Stats, error) {
	return a.stats(time.Now(), 0), nil
}

// Settings returns the stream settings in force.
func (a *App) Settings() (engine.Settings, error) { return a.cur().Settings(), nil }

func (a *App) stats(now time.Time, bps float64) Stats {
	st := Stats{Stats: a.cur().Stats(), BandwidthBps: bps, Viewers: []hub.Stats{}}
	for _, v := range a.cur().Viewers(now) {
		if v.Kind != "preview" {
			st.Viewers = append(st.Viewers, v)
		}
	}
	st.Remote = len(st.Viewers)
	return st
}

// totalBytes adds up what every viewer has been sent. Viewers that left
// take their count with them, so a drop is treated as a restart.
func (a *App) totalBytes() uint64 {
	var n uint64
	for _, v := range a.cur().Viewers(time.Now()) {
		n += v.Bytes
	}
	return n
}

// statsLoop sends EventStats to the window a few times a second.
func (a *App) statsLoop(ctx context.Context) {
	defer close(a.done)
	t := time.NewTicker(statsEvery)
	defer t.Stop()
	bw := bandwidth{total: a.totalBytes}
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			a.emit(EventStats, a.stats(now, bw.rate(now)))
			a.emit(EventCameras, a.cameras(now))
			if a.cur().Pushing() {
				info, _ := a.Push()
				a.emit(EventPushStatus, info)
			}
		}
	}
}
