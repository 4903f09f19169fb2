package links

import "time"

// savedLocked is the links as they are kept.
func (b *Book) savedLocked() []Saved {
	out := make([]Saved, 0, len(b.links))
	for _, e := range b.sorted() {
		out = append(out, Saved{Link: e.Link, WatchSeconds: e.watched.Seconds(), LastSeen: e.lastSeen})
	}
	return out
}

// save writes one version of the links, unless a later one is written.
func (b *Book) save(s []Saved, version uint64) {
	if b.d.Save == nil {
		return
	}
	b.saveMu.Lock()
	defer b.saveMu.Unlock()
	if version <= b.savedUpTo {
		return
	}
	if err := b.d.Save(s); err != nil {
		b.log.Error("saving the links", "err", err)
		return
	}
	b.savedUpTo = version
}

// usedLocked notes a change of watch time or last seen: saved within
// saveEvery.
func (b *Book) usedLocked() {
	if b.d.Save == nil || b.dirty || b.closed {
		return
	}
	b.dirty = true
	b.saveT = time.AfterFunc(saveEvery, func() {
		b.mu.Lock()
		if !b.dirty || b.closed {
			b.mu.Unlock()
			return
		}
		b.dirty = false
		b.version++
		s, v := b.savedLocked(), b.version
		b.mu.Unlock()
		b.save(s, v)
	})
}
