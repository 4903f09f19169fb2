package hub

// A tap is a consumer that must see every frame of a hub key, in order,
// where a viewer sees the newest: a recorder, whose file would not decode
// past a skipped frame of an inter-frame codec. It is no viewer (Count,
// Viewers and the totals leave it out), but a producer encodes its key
// (Taken) and keeps capturing for it (Busy).
type tap struct {
	key string
	fn  func(*Frame)
}

// Tap calls fn with every frame published under key from now on, from
// Publish, with the hub's lock held: fn must never wait (it hands the
// frame to a queue of its own) and must not call the hub. The returned
// function removes the tap; it is safe to call twice.
func (h *Hub) Tap(key string, fn func(*Frame)) (untap func()) {
	t := &tap{key: key, fn: fn}
	h.mu.Lock()
	if h.taps == nil {
		h.taps = make(map[*tap]struct{})
	}
	h.taps[t] = struct{}{}
	h.notifyLocked()
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.taps[t]; ok {
			delete(h.taps, t)
			h.notifyLocked()
		}
	}
}

// Tapped reports the hub keys some tap takes: a producer encodes them even
// when viewers may not have their codec (JPEG only).
func (h *Hub) Tapped() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool, len(h.taps))
	for t := range h.taps {
		out[t.key] = true
	}
	return out
}

// Busy reports whether anybody takes frames, a viewer or a tap: a
// producer captures while it is.
func (h *Hub) Busy() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0 || len(h.taps) > 0
}

// tapLocked gives f to the taps of its key; h.mu is held.
func (h *Hub) tapLocked(f *Frame) {
	for t := range h.taps {
		if t.key == f.Rendition {
			t.fn(f)
		}
	}
}
