package relay

import (
	"time"
)

// Keyframe requests: an H.264 viewer that joined, skipped frames or lost
// its decoder's state asks its hub for a keyframe (hub.RequestKey). A
// relay does not encode: the relay holding the producer passes requests on
// to it (protocol.KeyframeWant), and in a cluster another relay passes its
// viewers' requests on to the holder over the bus (KindKeyframe). Each key
// is passed on at most every 250 ms (hub.KeyDue), however many viewers
// ask; a keyframe passing through counts as one made (hub.KeyMade), and
// answers every request made before it.

// passKeys passes the keyframe requests due now on with send, and reports
// how long until the next request waiting is due: 0 when none waits.
func (s *Stream) passKeys(now time.Time, send func(key string) error) (time.Duration, error) {
	keys, _ := s.hub.KeysWanted(now)
	for _, key := range keys {
		if !s.hub.KeyDue(key, now) {
			continue
		}
		if err := send(key); err != nil {
			return 0, err
		}
		// Asked: a request after this one waits as if the keyframe were made.
		s.hub.KeyMade(key, now)
	}
	keys, next := s.hub.KeysWanted(now)
	if len(keys) == 0 {
		return 0, nil
	}
	return max(next, time.Millisecond), nil
}

// keyTimer is a timer for the next keyframe request due, stopped while
// none waits.
type keyTimer struct{ t *time.Timer }

func newKeyTimer() *keyTimer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &keyTimer{t: t}
}

// set arms the timer for after d, or stops it for 0.
func (k *keyTimer) set(d time.Duration) {
	k.t.Stop()
	if d > 0 {
		k.t.Reset(d)
	}
}

func (k *keyTimer) stop() { k.t.Stop() }
