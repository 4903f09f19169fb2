package server

import (
	"time"

	"framecast/backend/hub"
)

// trySend writes f from the hub's fan-out goroutine when that needs no wait:
// the writer is idle with nothing else to say, the window has room and the
// socket takes the frame at once. Otherwise f goes to the mailbox and
// writePump sends it, as it would without trySend.
func (v *wsViewer) trySend(f *hub.Frame) bool {
	if !v.out.mu.TryLock() {
		return false
	}
	defer v.out.mu.Unlock()
	if v.gone.Load() || v.kick.Load() != nil || v.h.hub.RenditionsEpoch() != v.out.epoch ||
		f.Rendition != v.sub.Rendition() || !v.sub.Idle() {
		return false
	}
	if !v.decodable(f) {
		return true // of no use to the viewer: it waits for a keyframe
	}
	now := time.Now()
	if !v.room(now) {
		return false
	}
	v.setDeadline(now)
	v.sending(f, now)
	sent, rest := v.out.gate.TryWrite(framed.Of(f), &v.h.splice)
	if !sent {
		v.unsend(f.Header.Seq)
		return false
	}
	v.sent(f, now)
	if rest {
		v.sub.Poke() // writePump writes what the socket did not take
	}
	return true
}
