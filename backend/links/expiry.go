package links

import "time"

// scheduleLocked sets the expiry timer to the next link to expire.
func (b *Book) scheduleLocked(now time.Time) {
	if b.closed {
		return
	}
	var next time.Time
	for _, e := range b.links {
		if !e.Expires.IsZero() && !e.cut && (next.IsZero() || e.Expires.Before(next)) {
			next = e.Expires
		}
	}
	if b.expiry != nil {
		b.expiry.Stop()
		b.expiry = nil
	}
	if next.IsZero() {
		return
	}
	b.expiry = time.AfterFunc(max(next.Sub(now), 0), func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.expireLocked(b.d.Now())
	})
}

// expireLocked cuts the sessions of the links expired by now, forgets
// those expired for longer than keepExpired, and sets the timer again.
func (b *Book) expireLocked(now time.Time) {
	if b.closed {
		return
	}
	changed := false
	for name, e := range b.links {
		if !e.Expired(now) {
			continue
		}
		if !e.cut {
			e.cut = true
			b.cutLocked(e, RefusedExpired)
			changed = true
		}
		if now.Sub(e.Expires) >= keepExpired {
			delete(b.links, name)
			changed = true
		}
	}
	if changed {
		b.changedLocked()
	}
	b.scheduleLocked(now)
}
