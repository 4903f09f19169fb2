package record

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"time"
)

// retainLoop runs retention when asked and every minute, until Close.
func (s *Store) retainLoop() {
	defer close(s.done)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
		case <-t.C:
		}
		s.retain()
	}
}

// retain deletes whole segments, oldest first: those that ended more than
// Keep ago, then more while all of them are over MaxSize. The segments being
// written are counted but never deleted; exports are neither.
func (s *Store) retain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.o.Keep <= 0 && s.o.MaxSize <= 0 {
		return
	}
	type entry struct {
		stream string
		seg    *segment
	}
	var (
		all   []entry
		total int64
	)
	for stream, segs := range s.streams {
		for _, seg := range segs {
			all = append(all, entry{stream, seg})
			total += seg.size + seg.detSize
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return a.seg.start.Compare(b.seg.start) })
	now := s.o.Now()
	for _, e := range all {
		old := s.o.Keep > 0 && now.Sub(e.seg.end) > s.o.Keep
		over := s.o.MaxSize > 0 && total > s.o.MaxSize
		if e.seg.open || !old && !over {
			continue
		}
		mp4 := s.segPath(e.stream, e.seg, ".mp4")
		if err := os.Remove(mp4); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Error("retention could not delete a segment", "path", mp4, "err", err)
			continue
		}
		if err := os.Remove(s.segPath(e.stream, e.seg, ".jsonl")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Error("retention could not delete a segment's detections", "path", mp4, "err", err)
		}
		total -= e.seg.size + e.seg.detSize
		s.dropSegment(e.stream, e.seg)
		reason := "size"
		if old {
			reason = "age"
		}
		s.log.Info("retention deleted a segment", "path", mp4, "by", reason)
	}
}
