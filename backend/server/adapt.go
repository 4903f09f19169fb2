package server

import "time"

// Adaptation of a WebSocket viewer's rendition to its link. The signal is
// the share of frames the viewer skipped: a link that cannot carry the
// stream leaves frames waiting for room in flight, and the newest replaces
// them in its mailbox. A viewer that skips more than badShare of its frames
// (badShareH264 for H.264) for badFor moves down a rendition. One that skips few for probeWait moves
// up to try the next size; if that one fails, the viewer goes back down and
// waits twice as long before trying again, so it does not oscillate.
const (
	adaptEvery = 500 * time.Millisecond
	badShare   = 0.25
	// badShareH264 is lower: an H.264 viewer that skips the frames no other
	// refers to still shows a moving picture, at fewer frames, and would
	// stay at 20 fps where its next step down, the same size at half the
	// bitrate, gives it every frame. Beyond a sixth skipped it has under
	// 25 of 30 frames a second.
	badShareH264 = 1.0 / 6
	badFor       = time.Second
	probeFirst   = 4 * time.Second
	probeMax     = 60 * time.Second
	probeSurvive = 5 * time.Second
)

// adapter is one viewer's rendition controller. Only its writer uses it.
type adapter struct {
	levels   []string // hub keys, largest first
	level    int
	badShare float64 // badShare, or badShareH264

	at          time.Time // last look
	sent, drops uint64    // counters at the last look
	badSince    time.Time // zero while the link keeps up
	goodSince   time.Time
	probeWait   time.Duration
	probing     bool // moved up, not yet proven
	probedAt    time.Time
}

func newAdapter(levels []string, now time.Time, bad float64) *adapter {
	return &adapter{levels: levels, at: now, goodSince: now, probeWait: probeFirst, badShare: bad}
}

// observe takes the viewer's counters (frames sent, frames skipped) and
// reports the rendition to take, and whether it changed.
func (a *adapter) observe(now time.Time, sent, drops uint64) (string, bool) {
	if len(a.levels) < 2 || now.Sub(a.at) < adaptEvery {
		return a.levels[a.level], false
	}
	ds, dd := sent-a.sent, drops-a.drops
	a.at, a.sent, a.drops = now, sent, drops
	bad := ds+dd > 0 && float64(dd) > a.badShare*float64(ds+dd)
	switch {
	case bad:
		a.goodSince = time.Time{}
		if a.badSince.IsZero() {
			a.badSince = now
		}
		if a.probing || now.Sub(a.badSince) >= badFor {
			return a.down(now)
		}
	default:
		a.badSince = time.Time{}
		if a.goodSince.IsZero() {
			a.goodSince = now
		}
		if a.probing && now.Sub(a.probedAt) >= probeSurvive {
			a.probing, a.probeWait = false, probeFirst // the bigger size holds
		}
		if a.level > 0 && !a.probing && now.Sub(a.goodSince) >= a.probeWait {
			a.level--
			a.probing, a.probedAt, a.goodSince = true, now, now
			return a.levels[a.level], true
		}
	}
	return a.levels[a.level], false
}

// down moves to the next smaller rendition; a failed probe doubles the
// wait before the next one.
func (a *adapter) down(now time.Time) (string, bool) {
	if a.probing {
		a.probing = false
		a.probeWait = min(2*a.probeWait, probeMax)
	}
	a.badSince, a.goodSince = time.Time{}, now
	if a.level == len(a.levels)-1 {
		return a.levels[a.level], false // the smallest: fewer frames is all that is left
	}
	a.level++
	return a.levels[a.level], true
}
