package record

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"framecast/backend/protocol"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
)

// defaultInterval is a frame's duration, in ticks, when there is no frame
// after it to tell (30 fps).
const defaultInterval = timeScale / 30

// writer is a recorder's open segment and the frames not yet written to it.
// Only the recorder's goroutine uses it.
type writer struct {
	r *Recorder
	s *Store

	seg      *segment // nil when none is open
	mp4, det segFile
	base     int64 // the segment's start, Unix µs
	sps, pps []byte
	seq      uint32 // the next fragment's sequence number
	size     int64  // bytes of the .mp4 written and synced
	detSize  int64  // bytes of the .jsonl written and synced
	lastEnd  int64  // ticks: the end of the last sample written
	lastTS   int64  // the capture time of the last frame taken
	lastSeen time.Time
	interval int64 // ticks between the last two frames

	pending []pendingFrame // taken, not yet written; the last one's duration is not known yet
	arena   []byte         // the pending frames' samples

	askedKey     bool      // requestKey was called since the last keyframe
	stoppedUntil time.Time // after a write error: frames are dropped until then

	buf     seekablebuffer.Buffer
	lines   []byte
	samples []fmp4.Sample
	ptrs    []*fmp4.Sample
}

type pendingFrame struct {
	ts, dts  int64
	key      bool
	from, to int // its sample in arena
	dets     []protocol.Detection
	arrived  time.Time
}

func newWriter(r *Recorder) *writer { return &writer{r: r, s: r.s} }

// ticks is a capture time in ticks from the segment's start.
func (w *writer) ticks(ts int64) int64 {
	return max(0, (ts-w.base)*timeScale/1e6)
}

func (w *writer) estimate() int64 {
	if w.interval > 0 {
		return w.interval
	}
	return defaultInterval
}

// add takes one frame: it starts or ends segments as the rules say and
// writes a fragment when the oldest frame held has waited long enough.
func (w *writer) add(f frame) {
	if !w.stoppedUntil.IsZero() {
		return
	}
	var sps, pps []byte
	if f.key {
		sps, pps = parameters(f.au)
		if sps == nil && w.seg != nil {
			sps, pps = w.sps, w.pps // a keyframe that leaves them out keeps them
		}
	}
	if w.seg != nil {
		switch {
		case f.gap || f.ts <= w.lastTS || f.ts-w.lastTS > gapAfter.Microseconds():
			w.endSegment(-1)
		case f.key && (f.ts-w.base >= w.s.o.Segment.Microseconds() ||
			sps != nil && (!bytes.Equal(sps, w.sps) || !bytes.Equal(pps, w.pps))):
			next := max(w.ticks(f.ts), w.lastEnd)
			if n := len(w.pending); n > 0 {
				next = max(next, w.pending[n-1].dts+1)
			}
			w.endSegment(next)
		}
		if !w.stoppedUntil.IsZero() {
			return // writing the last frames failed
		}
	}
	if w.seg == nil {
		if !f.key || sps == nil {
			w.askKey()
			return
		}
		if err := w.openSegment(f.ts, sps, pps); err != nil {
			w.fail(err)
			return
		}
	}
	if f.key {
		w.askedKey = false
	}
	from := len(w.arena)
	arena, err := appendAVCC(w.arena, f.au)
	if err != nil {
		w.endSegment(-1)
		w.askKey()
		return
	}
	w.arena = arena
	dts := max(w.ticks(f.ts), w.lastEnd)
	if n := len(w.pending); n > 0 {
		dts = max(dts, w.pending[n-1].dts+1)
		w.interval = dts - w.pending[n-1].dts
	}
	w.pending = append(w.pending, pendingFrame{ts: f.ts, dts: dts, key: f.key, from: from, to: len(w.arena), dets: f.dets, arrived: f.arrived})
	w.lastTS, w.lastSeen = f.ts, f.arrived
	// A fragment is due when its first frame has waited long enough, or
	// holds enough time (frames from a backlog come faster).
	if n := len(w.pending); n > 1 && (f.arrived.Sub(w.pending[0].arrived) >= w.s.o.Fragment ||
		f.ts-w.pending[0].ts >= w.s.o.Fragment.Microseconds()) {
		w.flush(n-1, w.pending[n-1].dts)
	}
}

func (w *writer) askKey() {
	if !w.askedKey {
		w.askedKey = true
		w.r.requestKey()
	}
}

// tick writes what has waited a fragment's time, closes a segment nothing
// came for in a while, and ends a stop after a write error.
func (w *writer) tick(now time.Time) {
	if !w.stoppedUntil.IsZero() && !now.Before(w.stoppedUntil) {
		w.stoppedUntil = time.Time{}
		w.askedKey = false
		w.askKey()
	}
	if w.seg == nil {
		return
	}
	if n := len(w.pending); n > 0 && now.Sub(w.pending[0].arrived) >= w.s.o.Fragment {
		if n > 1 {
			w.flush(n-1, w.pending[n-1].dts)
		} else {
			w.flush(1, -1)
		}
	}
	if w.seg != nil && now.Sub(w.lastSeen) >= w.s.idle {
		w.endSegment(-1)
	}
}

// deadline is when tick has something to do.
func (w *writer) deadline() (time.Time, bool) {
	var at time.Time
	ok := false
	consider := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	if !w.stoppedUntil.IsZero() {
		consider(w.stoppedUntil)
	}
	if w.seg != nil {
		if len(w.pending) > 0 {
			consider(w.pending[0].arrived.Add(w.s.o.Fragment))
		}
		consider(w.lastSeen.Add(w.s.idle))
	}
	return at, ok
}

// finish writes what is held and closes the segment: the recorder closes.
func (w *writer) finish() {
	if w.seg != nil {
		w.endSegment(-1)
	}
	w.r.setStatus(func(st *Status) { st.Recording = false })
}

// openSegment starts a segment at the keyframe captured at ts.
func (w *writer) openSegment(ts int64, sps, pps []byte) error {
	s := w.s
	base := ts - ts%1000
	s.mu.Lock()
	stream := w.r.stream
	dir := filepath.Join(s.o.Dir, stream)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		s.mu.Unlock()
		return err
	}
	for w.taken(stream, base) {
		base += 1000
	}
	seg := &segment{start: time.UnixMicro(base).UTC(), open: true,
		params: &mp4.CodecH264{SPS: bytes.Clone(sps), PPS: bytes.Clone(pps)}}
	seg.name, seg.end = seg.start.Format(nameLayout), seg.start
	mp4f, err := s.create(s.segPath(stream, seg, ".mp4"))
	if err != nil {
		s.mu.Unlock()
		return err
	}
	det, err := s.create(s.segPath(stream, seg, ".jsonl"))
	if err != nil {
		_ = mp4f.Close()
		_ = os.Remove(s.segPath(stream, seg, ".mp4"))
		s.mu.Unlock()
		return err
	}
	s.addSegment(stream, seg)
	s.mu.Unlock()
	syncDir(dir)

	w.seg, w.mp4, w.det = seg, mp4f, det
	w.base, w.sps, w.pps = base, seg.params.SPS, seg.params.PPS
	w.seq, w.size, w.detSize, w.lastEnd, w.interval = 1, 0, 0, 0, 0
	init := fmp4.Init{Tracks: []*fmp4.InitTrack{{ID: 1, TimeScale: timeScale, Codec: seg.params}}}
	w.buf.Reset()
	if err := init.Marshal(&w.buf); err != nil {
		return err
	}
	if _, err := w.mp4.Write(w.buf.Bytes()); err != nil {
		return err
	}
	w.size = int64(len(w.buf.Bytes()))
	s.mu.Lock()
	seg.size = w.size
	s.mu.Unlock()
	var resumed string
	w.r.setStatus(func(st *Status) {
		if !st.Recording {
			st.Since = time.UnixMicro(ts).UTC()
		}
		resumed, st.Recording, st.Err = st.Err, true, ""
		st.Bytes += w.size
	})
	if resumed != "" {
		s.log.Info("recording resumed", "stream", stream)
	}
	return nil
}

// taken says whether the stream has a segment starting at base (µs).
func (w *writer) taken(stream string, base int64) bool {
	for _, seg := range w.s.streams[stream] {
		if seg.start.UnixMicro() == base {
			return true
		}
	}
	return false
}

// endSegment writes the frames held (next as in flush) and closes the
// segment.
func (w *writer) endSegment(next int64) {
	if len(w.pending) > 0 {
		w.flush(len(w.pending), next)
	}
	if w.seg == nil {
		return // the flush failed and closed it
	}
	err := errors.Join(w.mp4.Close(), w.det.Close())
	w.closed(w.seq == 1)
	if err != nil {
		err = fmt.Errorf("record: close segment: %w", err)
		w.s.log.Error("closing a segment", "err", err)
	}
	w.r.smu.Lock()
	w.r.closeErr = err
	w.r.smu.Unlock()
	w.s.retainSoon()
}

// closed takes the segment off the writer: out of the index too when it has
// no fragment.
func (w *writer) closed(empty bool) {
	s := w.s
	s.mu.Lock()
	w.seg.open = false
	if empty {
		if stream, ok := s.streamOf(w.seg); ok {
			_ = os.Remove(s.segPath(stream, w.seg, ".mp4"))
			_ = os.Remove(s.segPath(stream, w.seg, ".jsonl"))
			s.dropSegment(stream, w.seg)
		}
	}
	s.mu.Unlock()
	w.seg, w.mp4, w.det = nil, nil, nil
	w.pending, w.arena = w.pending[:0], w.arena[:0]
}

// fail stops recording after a write error: the segment keeps what was
// written whole, frames are dropped until a retry, and the error is shown in
// Status and logged when recording stops (a retry failing is not).
func (w *writer) fail(err error) {
	msg := err.Error() + "; recording stopped"
	if errors.Is(err, syscall.ENOSPC) {
		msg = "disk full: " + msg
	}
	if w.seg != nil {
		// Cut what a failed write left, so the segment ends whole.
		_ = w.mp4.Truncate(w.size)
		_ = w.det.Truncate(w.detSize)
		_ = w.mp4.Close()
		_ = w.det.Close()
		w.closed(w.seq == 1)
	}
	w.stoppedUntil = time.Now().Add(w.s.retry)
	var before string
	w.r.setStatus(func(st *Status) {
		before = st.Err
		st.Recording, st.Err = false, msg
	})
	if before == "" {
		w.s.log.Error("recording stopped", "stream", w.r.streamName(), "err", msg)
	} else {
		w.s.log.Debug("recording failed again", "stream", w.r.streamName(), "err", msg)
	}
	w.s.retainSoon()
}

// streamName is the recorder's stream now.
func (r *Recorder) streamName() string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.stream
}

// syncDir makes a new file's name durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
