package server

import (
	"context"
	"time"
)

// dropReportEvery is how often slow viewers are summed up in the log: one
// line per viewer that lost frames, never one per frame.
const dropReportEvery = 10 * time.Second

// reportDrops logs, every dropReportEvery, each viewer that had frames
// replaced in its mailbox since the last report.
func (sh *Handler) reportDrops(ctx context.Context) {
	t := time.NewTicker(dropReportEvery)
	defer t.Stop()
	seen := map[uint64]uint64{} // viewer id → drops at the last report
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			next := make(map[uint64]uint64, len(seen))
			for _, v := range sh.hub.Viewers(now) {
				next[v.ID] = v.Drops
				if n := v.Drops - seen[v.ID]; n > 0 {
					sh.log.Info("viewer is slower than the stream; its oldest frames were skipped",
						"viewer", v.ID, "addr", v.Addr, "skipped", n, "over", dropReportEvery, "fps", v.FPS)
				}
			}
			seen = next
		}
	}
}
