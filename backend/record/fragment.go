package record

import (
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
)

// A fragment is what the writer puts on disk at a time: a moof and its
// mdat of the frames held, and their detections' lines, both synced.

// flush writes the first n pending frames as one fragment; next is the
// time (ticks) of the frame after them, or -1 when it is not known yet.
func (w *writer) flush(n int, next int64) {
	if next < 0 {
		next = w.pending[n-1].dts + w.estimate()
	}
	w.samples, w.ptrs = w.samples[:0], w.ptrs[:0]
	w.lines = w.lines[:0]
	for i, p := range w.pending[:n] {
		end := next
		if i+1 < n {
			end = w.pending[i+1].dts
		}
		w.samples = append(w.samples, fmp4.Sample{Duration: uint32(end - p.dts), IsNonSyncSample: !p.key, Payload: w.arena[p.from:p.to]})
		for _, d := range p.dets {
			w.lines = appendDetectionLine(w.lines, p.ts, d)
		}
	}
	for i := range w.samples {
		w.ptrs = append(w.ptrs, &w.samples[i])
	}
	part := fmp4.Part{SequenceNumber: w.seq, Tracks: []*fmp4.PartTrack{{ID: 1, BaseTime: uint64(w.pending[0].dts), Samples: w.ptrs}}}
	w.buf.Reset()
	if err := part.Marshal(&w.buf); err != nil {
		w.fail(err)
		return
	}
	if err := w.write(w.buf.Bytes()); err != nil {
		w.fail(err)
		return
	}
	w.seq++
	w.lastEnd = next
	written := int64(len(w.buf.Bytes()) + len(w.lines))
	w.size += int64(len(w.buf.Bytes()))
	w.detSize += int64(len(w.lines))
	w.s.mu.Lock()
	w.seg.size, w.seg.detSize = w.size, w.detSize
	w.seg.frames += n
	w.seg.end = time.UnixMicro(w.base).UTC().Add(ticksToDuration(next))
	w.s.mu.Unlock()
	w.r.setStatus(func(st *Status) { st.Bytes += written })

	// Keep the frames left, and their samples at the arena's start.
	rest := w.pending[n:]
	if len(rest) > 0 {
		shift := rest[0].from
		copy(w.arena, w.arena[shift:])
		w.arena = w.arena[:len(w.arena)-shift]
		for i := range rest {
			rest[i].from -= shift
			rest[i].to -= shift
		}
	} else {
		w.arena = w.arena[:0]
	}
	w.pending = w.pending[:copy(w.pending, rest)]
}

// write appends a fragment and its detections and syncs both: the
// detections first, so that a fragment on disk has its detections too.
func (w *writer) write(fragment []byte) error {
	if len(w.lines) > 0 {
		if _, err := w.det.Write(w.lines); err != nil {
			return err
		}
		if err := w.det.Sync(); err != nil {
			return err
		}
	}
	if _, err := w.mp4.Write(fragment); err != nil {
		return err
	}
	return w.mp4.Sync()
}
