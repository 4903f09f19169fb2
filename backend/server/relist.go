package server

import (
	"slices"
	"time"

	"framecast/backend/hub"
)

// fallBack moves a viewer whose rendition is not among levels (the hub
// keys the stream offers now) to the stream's own size, so it does not wait
// for frames that never come, and reports whether it did. An MJPEG viewer
// has no hello to be told more; a WebSocket viewer's relist tells it.
func fallBack(sub *hub.Subscriber, levels []string) bool {
	if slices.Contains(levels, sub.Rendition()) {
		return false
	}
	sub.SetRendition("")
	return true
}

// relist follows a change of the renditions the stream offers while the
// viewer watches (hub.RenditionsChanged): a relay's producer announced its
// ladder after the viewer came, or a new producer offers other sizes, or
// one. A viewer whose rendition is no longer made takes the stream's own
// size (it would wait for frames that never come); one that adapts gets an
// adapter for the new ladder, at the size it has now; and the viewer's page
// gets a new hello listing them, for its menu. Nothing changes, and nothing
// is sent, when the ladder is what the viewer already knows.
func (v *wsViewer) relist(now time.Time) error {
	ladder := v.h.ladder()
	levels := keys(ladder)
	gone := fallBack(v.sub, levels)
	if !gone && slices.Equal(levels, v.levels) {
		return nil
	}
	v.levels = levels
	if gone {
		v.pinned = false // what was pinned is not made any more
	}
	cur := v.sub.Rendition()
	v.adapt = nil
	if !v.pinned && !v.dataURL && len(ladder) > 1 {
		v.adapt = newAdapter(levels, now)
		v.adapt.level = slices.Index(levels, cur)
	}
	if v.dataURL {
		return nil // old-style pages would take any text for a picture
	}
	return v.writeJSON(v.h.hello(ladder, cur, v.pinned))
}
