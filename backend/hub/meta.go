package hub

import "sort"

// Meta is one metadata value a producer sent beside its pictures (the old
// setup's "key=sq=value" messages). Metadata is its own fan-out: a value is
// the newest of its key, and a viewer that has not taken the old value yet
// gets only the new one.
type Meta struct {
	Key, Value string
	// After is the seq of the picture the producer sent just before this
	// value: the one it belongs to (0: before any picture).
	After uint64
	// Order numbers values as the producer sent them, so a viewer gets them
	// in that order.
	Order uint64
}

// PublishMeta records m as its key's value and offers it to every viewer
// that takes metadata. The caller bounds the number of keys.
func (h *Hub) PublishMeta(m Meta) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.metaOrder++
	m.Order = h.metaOrder
	if h.meta == nil {
		h.meta = map[string]Meta{}
	}
	h.meta[m.Key] = m
	for s := range h.subs {
		s.offerMeta(m)
	}
}

// ResetMeta forgets every key's value, as a new producer starts afresh.
func (h *Hub) ResetMeta() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.meta = nil
}

// Meta returns every key's current value, in the order they were sent.
func (h *Hub) Meta() []Meta {
	h.mu.Lock()
	defer h.mu.Unlock()
	return sortedMeta(h.meta)
}

func sortedMeta(m map[string]Meta) []Meta {
	out := make([]Meta, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

// SubscribeMeta adds a viewer that also takes metadata (TakeMeta). It
// starts with every key's current value, so a late viewer misses none.
func (h *Hub) SubscribeMeta(kind, addr string) *Subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.subscribeLocked(kind, addr, "")
	s.meta = make(map[string]Meta, len(h.meta))
	for k, v := range h.meta {
		s.meta[k] = v
	}
	if len(s.meta) > 0 {
		s.Poke()
	}
	return s
}

// offerMeta puts m in the viewer's metadata mailbox, if it takes metadata.
func (s *Subscriber) offerMeta(m Meta) {
	s.mu.Lock()
	if s.meta == nil {
		s.mu.Unlock()
		return
	}
	s.meta[m.Key] = m
	s.mu.Unlock()
	s.Poke()
}

// TakeMeta returns the values waiting for the viewer, in the order they
// were sent, and empties the mailbox.
func (s *Subscriber) TakeMeta() []Meta {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.meta) == 0 {
		return nil
	}
	out := sortedMeta(s.meta)
	clear(s.meta)
	return out
}
