package links

import (
	"net"
	"slices"
	"sync"
	"time"
)

// Bounds of the clip records held (clipHolder).
const (
	// clipWait is how long a clip's record waits, after its request
	// ended, for the next request of the same playback.
	clipWait = 10 * time.Second
	// maxHeldClips bounds the records held: one more writes the one held
	// longest to the audit at once.
	maxHeldClips = 256
)

// clipHolder stands before a Book's Auditor and joins the records of one
// playback of a clip: a <video> reads a clip in several Range requests,
// each a session of its own, and the audit shows one record for them.
// A clip's record is held for wait after its request ended, and a later
// one of the same link, stream, client host, clip and relay is added to
// it (its bytes summed, its end the later one); when none comes in time,
// or the playback was cut, the audit gets it. Records of other kinds pass
// straight on.
type clipHolder struct {
	next Auditor
	wait time.Duration
	max  int

	mu     sync.Mutex
	held   map[clipKey]*heldClip // guarded by mu
	closed bool                  // guarded by mu
}

// clipKey says which records are one playback. The host has no port: a
// browser's Range requests come on connections of their own.
type clipKey struct {
	link, stream, host, clip, via string
}

// heldClip is a record held and the timer that writes it.
type heldClip struct {
	rec   Record
	timer *time.Timer
}

func newClipHolder(next Auditor, wait time.Duration) *clipHolder {
	if wait <= 0 {
		wait = clipWait
	}
	return &clipHolder{next: next, wait: wait, max: maxHeldClips, held: map[clipKey]*heldClip{}}
}

// Write holds a clip's record, or adds it to the one held of the same
// playback; it passes any other record on.
func (c *clipHolder) Write(r Record) {
	if r.Kind != KindClip {
		c.next.Write(r)
		return
	}
	var out []Record
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.next.Write(r)
		return
	}
	k := clipKey{link: r.Link, stream: r.Stream, host: hostOf(r.Addr), clip: r.Clip, via: r.Via}
	h := c.held[k]
	switch {
	case h != nil:
		h.rec = joinClip(h.rec, r)
	case len(c.held) >= c.max:
		out = append(out, c.takeLocked(c.oldestLocked()))
		fallthrough
	default:
		h = &heldClip{rec: r}
		c.held[k] = h
		h.timer = time.AfterFunc(c.wait, func() { c.flush(k, h) })
	}
	if h.rec.Reason != "" {
		// Cut (revoked, expired): no request of it will follow.
		out = append(out, c.takeLocked(k))
	} else {
		h.timer.Reset(c.wait)
	}
	c.mu.Unlock()
	for _, r := range out {
		c.next.Write(r)
	}
}

// flush writes h when its wait is over, unless it was written already.
func (c *clipHolder) flush(k clipKey, h *heldClip) {
	c.mu.Lock()
	if c.held[k] != h {
		c.mu.Unlock()
		return
	}
	r := c.takeLocked(k)
	c.mu.Unlock()
	c.next.Write(r)
}

// takeLocked forgets the record held under k and returns it.
func (c *clipHolder) takeLocked(k clipKey) Record {
	h := c.held[k]
	h.timer.Stop()
	delete(c.held, k)
	return h.rec
}

// oldestLocked is the key of the record whose last request ended first.
func (c *clipHolder) oldestLocked() clipKey {
	var key clipKey
	var end time.Time
	first := true
	for k, h := range c.held {
		if first || h.rec.End.Before(end) {
			key, end, first = k, h.rec.End, false
		}
	}
	return key
}

// Close writes every record held, oldest first; records written after
// pass straight on.
func (c *clipHolder) Close() {
	c.mu.Lock()
	c.closed = true
	out := make([]Record, 0, len(c.held))
	for k := range c.held {
		out = append(out, c.takeLocked(k))
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(x, y Record) int { return x.End.Compare(y.End) })
	for _, r := range out {
		c.next.Write(r)
	}
}

// joinClip adds a later request's record to a playback's.
func joinClip(held, r Record) Record {
	if r.Start.Before(held.Start) {
		held.Start = r.Start
	}
	if r.End.After(held.End) {
		held.End = r.End
	}
	held.Bytes += r.Bytes
	if r.Reason != "" {
		held.Reason = r.Reason
	}
	return held
}

// hostOf is addr without its port.
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
