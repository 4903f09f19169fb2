package server

import (
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// sentFrame is a frame written to a viewer and not yet acked.
type sentFrame struct {
	seq    uint64
	ts     int64 // capture time, Unix µs
	sentAt time.Time
}

// acked drops every in-flight frame up to seq, records the latency of seq and
// wakes the writer if it was waiting for room: a frame came while the window
// was full. Otherwise the writer is woken by the next frame anyway, and an
// ack costs no wake-up.
func (v *wsViewer) acked(seq uint64, now time.Time) {
	v.flight.mu.Lock()
	wasFull := len(v.flight.frames) >= v.window()
	keep := v.flight.frames[:0]
	for _, f := range v.flight.frames {
		if f.seq == seq {
			v.sub.SetLatency(now.Sub(time.UnixMicro(f.ts)))
			v.noteDelay(now.Sub(f.sentAt))
		}
		if f.seq > seq {
			keep = append(keep, f)
		}
	}
	v.flight.frames = keep
	v.flight.mu.Unlock()
	if wasFull {
		v.sub.Poke()
	}
}

// noteDelay updates the send→ack delay figures; v.flight.mu is held.
func (v *wsViewer) noteDelay(d time.Duration) {
	if v.flight.minDelay == 0 || d < v.flight.minDelay {
		v.flight.minDelay = d
	}
	if v.flight.delay == 0 {
		v.flight.delay = d
	} else {
		v.flight.delay += (d - v.flight.delay) / 4
	}
}

// window is how many frames may be in flight: protocol.MaxInFlight, or one
// while frames queue in front of the viewer; v.flight.mu is held.
func (v *wsViewer) window() int {
	if v.flight.delay-v.flight.minDelay > queueLimit {
		return 1
	}
	return protocol.MaxInFlight
}

// room reports whether another frame may be sent, forgetting frames whose
// ack is long overdue.
func (v *wsViewer) room(now time.Time) bool {
	if v.dataURL {
		return true
	}
	v.flight.mu.Lock()
	defer v.flight.mu.Unlock()
	for len(v.flight.frames) > 0 && now.Sub(v.flight.frames[0].sentAt) > ackTimeout {
		v.flight.frames = v.flight.frames[1:]
	}
	return len(v.flight.frames) < v.window()
}

// sending records f as in flight. It must come before the write: a fast
// viewer's ack can arrive before the write returns, and an ack for a frame
// not yet recorded would be lost, stalling the viewer until ackTimeout.
func (v *wsViewer) sending(f *hub.Frame, now time.Time) {
	if v.dataURL {
		return
	}
	v.flight.mu.Lock()
	v.flight.frames = append(v.flight.frames, sentFrame{seq: f.Header.Seq, ts: f.Header.TS, sentAt: now})
	v.flight.mu.Unlock()
}

// forgetInFlight forgets every frame in flight: the viewer may never ack
// them, as a page drops the H.264 frames still decoding when it is moved
// to JPEG. Waiting for those acks would hold back the frames of the new
// codec until ackTimeout; a late ack of one is harmless.
func (v *wsViewer) forgetInFlight() {
	v.flight.mu.Lock()
	v.flight.frames = v.flight.frames[:0]
	v.flight.mu.Unlock()
}

// unsend forgets the in-flight record of a frame that was not written after
// all.
func (v *wsViewer) unsend(seq uint64) {
	v.flight.mu.Lock()
	defer v.flight.mu.Unlock()
	if n := len(v.flight.frames); n > 0 && v.flight.frames[n-1].seq == seq {
		v.flight.frames = v.flight.frames[:n-1]
	}
}
