package server

import (
	"slices"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// follow is the hub key of the rendition a viewer takes once the stream's
// ladder is now instead of old (the one it knew): the rendition it asked
// for by name (want, "" for auto) while that is offered; else the one it
// has (cur) while that is offered; else the one offered nearest in size
// (pixels) to what it had, the smaller of two as near. A viewer whose rendition
// vanished (another source, a smaller one) so gets the picture closest to
// what it chose instead of waiting for frames that never come, and gets
// its choice back when a source offers it again.
func follow(cur, want string, old, now []protocol.Rendition) string {
	levels := keys(now)
	if want != "" {
		if i := slices.IndexFunc(now, func(r protocol.Rendition) bool { return r.Name == want }); i >= 0 {
			return levels[i]
		}
	}
	if slices.Contains(levels, cur) {
		return cur
	}
	had := 0
	if i := slices.Index(keys(old), cur); i >= 0 && i < len(old) {
		had = old[i].W * old[i].H
	}
	best := 0
	for i, r := range now {
		d, bd := abs(r.W*r.H-had), abs(now[best].W*now[best].H-had)
		if d < bd || d == bd && r.H < now[best].H {
			best = i
		}
	}
	return levels[best]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// wanted is the name of the rendition a viewer pinned (key, from
// pickRendition, in ladder), for follow; "" for auto.
func wanted(key string, pinned bool, ladder []protocol.Rendition) string {
	switch {
	case !pinned:
		return ""
	case key != "":
		return key
	case len(ladder) > 0:
		return ladder[0].Name
	}
	return ""
}

// relist follows a change of the renditions or codecs the stream offers
// while the viewer watches (hub.RenditionsChanged): the engine's source or
// max size changed, a relay's producer announced its ladder after the
// viewer came, or a new producer offers other sizes, or one, or H.264 or
// not. The viewer is moved as follow says, into the codec it asked for
// where the stream makes it now (codecFor); one that adapts gets an
// adapter for the new ladder and codec, at the size and bitrate step it
// has now; and the viewer's page gets a new hello listing the renditions
// and naming the one it gets, for its menu, and its codec, for its
// decoder. Nothing changes, and nothing is sent, when the ladder and codec
// are what the viewer already knows.
func (v *wsViewer) relist(now time.Time) error {
	ladder := v.h.ladder()
	cur, _ := hub.SplitKey(v.sub.Rendition())
	next := follow(cur, v.out.want, v.out.ladder, ladder)
	codec := v.h.codecFor(v.asked)
	recoded := codec != v.codec
	// A relay's producer that no longer makes lower bitrate steps strands
	// a viewer on one; one that starts to gives the adapter more levels.
	steps := v.h.bitrateSteps()
	stranded := hub.IsLow(v.sub.Rendition()) && !steps
	if next == cur && !recoded && !stranded && steps == v.out.steps && slices.Equal(ladder, v.out.ladder) {
		return nil
	}
	sameLevels := slices.Equal(keys(ladder), keys(v.out.ladder))
	v.out.ladder, v.codec = ladder, codec
	if next != cur || recoded || stranded {
		v.setRendition(next)
	}
	if recoded {
		v.forgetInFlight()
	}
	if next != cur || recoded || !sameLevels || steps != v.out.steps || v.out.adapt == nil {
		v.adapting(ladder, next, now)
	}
	if v.dataURL {
		return nil // old-style pages would take any text for a picture
	}
	return v.writeJSON(v.hello(ladder, next))
}
