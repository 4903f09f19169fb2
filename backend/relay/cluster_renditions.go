package relay

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// Renditions in a cluster: the holder writes its producer's ladder into
// the table and the other relays offer it to their viewers; each relay
// reports which renditions its viewers take; the holder asks its producer
// for the smaller ones taken anywhere and publishes each rendition's frames
// on a subject of its own, only while some other relay takes it; a relay
// that follows the stream subscribes to exactly the renditions its viewers
// take.

// framesPrefix starts the kind of a smaller rendition's frames.
const framesPrefix = string(KindFrames) + "-"

// FramesKind is the kind of a rendition's frames ("" the stream's own
// size: KindFrames). A smaller one's is "frames-360p", one subject token:
// stream names may hold '.', so "frames.360p" + a name could be another
// stream's subject.
func FramesKind(rendition string) Kind {
	if rendition == "" {
		return KindFrames
	}
	return Kind(framesPrefix + rendition)
}

// IsFrames reports whether k carries frames, of any rendition.
func (k Kind) IsFrames() bool {
	return k == KindFrames || strings.HasPrefix(string(k), framesPrefix)
}

// maxRelayName bounds a relay's name in a report from the bus.
const maxRelayName = 256

// maxTakes bounds the hub keys a report may name: every rendition a ladder
// can have, in every codec a relay passes on.
const maxTakes = 2 * (protocol.MaxRenditions + 1)

// checkReport checks another relay's report as it came off the bus: from
// someone else, a count of zero or more, at most maxTakes hub keys, each a
// rendition ("" or named like "360p") in JPEG or H.264 (validKey).
func checkReport(r viewerReport, self string) error {
	switch {
	case r.Relay == "" || len(r.Relay) > maxRelayName || r.Relay == self:
		return fmt.Errorf("report from %s: not another relay's", protocol.Quote(r.Relay))
	case r.Count < 0:
		return fmt.Errorf("report from %s: count %d", protocol.Quote(r.Relay), r.Count)
	case len(r.Takes) > maxTakes:
		return fmt.Errorf("report from %s: %d renditions, at most %d", protocol.Quote(r.Relay), len(r.Takes), maxTakes)
	}
	for _, name := range r.Takes {
		if !validKey(name) {
			return fmt.Errorf("report from %s: rendition %s", protocol.Quote(r.Relay), protocol.Quote(name))
		}
	}
	return checkReportLinks(r)
}

// takesOf is what a checked report's relay takes: its list, or the own
// size alone for a relay that names none.
func takesOf(r viewerReport) []string {
	if len(r.Takes) == 0 {
		return []string{""}
	}
	return slices.Clone(r.Takes)
}

// retakeLocked gathers what the live reports take. l.mu is held.
func (l *link) retakeLocked() {
	taken := make(map[string]bool)
	for _, r := range l.reports {
		for _, name := range r.takes {
			taken[name] = true
		}
	}
	l.taken = taken
}

// remoteTakes reports whether a viewer on another relay takes rendition
// ("" the own size): the holder publishes its frames only then.
func (l *link) remoteTakes(rendition string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.taken[rendition]
}

// remoteWanted lists the hub keys viewers on other relays take.
func (l *link) remoteWanted() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.taken))
	for key := range l.taken {
		out = append(out, key)
	}
	return out
}

// recheck, between steps, reports at once when this relay's viewers moved
// between renditions, and follows the frames they take now; it asks the
// table nothing. It follows even when the report went out already: a step
// reports before its lookup, and follows only after one that succeeds.
func (l *link) recheck() {
	takes := l.s.taken()
	if !slices.Equal(takes, l.reportedTakes) {
		l.report(l.s.hub.Count(), takes)
	}
	if l.following {
		l.follow(takes)
	}
}

// follow subscribes to the frames of exactly the renditions named, from
// the holder, and drops the others.
func (l *link) follow(takes []string) {
	keep := make(map[string]bool, len(takes))
	for _, name := range takes {
		keep[name] = true
		if _, ok := l.unsubFrames[name]; ok {
			continue
		}
		cancel, err := l.bus.Subscribe(FramesKind(name), l.s.Name, func(b []byte) { l.s.publishRemote(name, b) })
		if err == nil {
			l.unsubFrames[name] = cancel
		}
	}
	for name, cancel := range l.unsubFrames {
		if !keep[name] {
			cancel()
			delete(l.unsubFrames, name)
		}
	}
}

// taken is the sorted list of the hub keys this relay's viewers take, ""
// (the own size in JPEG) first when taken.
func (s *Stream) taken() []string {
	t := s.hub.Taken()
	out := make([]string, 0, len(t))
	for key := range t {
		if validKey(key) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// holding reports whether a producer is attached here, since when, and the
// renditions and codecs it offers: what the holder claims in the table.
func (s *Stream) holding() (bool, time.Time, []protocol.Rendition, []string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.publisher == nil {
		return false, time.Time{}, nil, nil, false
	}
	var codecs []string
	if s.told {
		codecs = slices.Clone(s.codecs)
	}
	return true, s.since, slices.Clone(s.ladder), codecs, s.told && s.steps
}

// adoptOffer takes the renditions and codecs the holder's producer offers
// from the cluster's table, so that viewers here see them in their hello
// and pin, adapt and take H.264 as on the holder. A producer here keeps
// its own; an offer that fails setLadder's checks (the table is written by
// other processes) changes nothing.
func (s *Stream) adoptOffer(ladder []protocol.Rendition, codecs []string, steps bool) {
	codecs, err := checkCodecs(codecs)
	if err != nil || checkLadder(ladder) != nil {
		return
	}
	steps = steps && len(codecs) > 0
	s.mu.Lock()
	changed := s.publisher == nil && (!slices.Equal(s.ladder, ladder) || !slices.Equal(s.codecs, codecs) || !s.told || s.steps != steps)
	if changed {
		s.ladder, s.codecs, s.told, s.steps = slices.Clone(ladder), codecs, true, steps
	}
	s.mu.Unlock()
	if changed {
		s.hub.RenditionsChanged()
	}
}

// publishRemote passes on a frame of hub key ("" the own size in JPEG)
// from the relay that holds the producer; one whose header names another
// rendition or codec than its subject is dropped. After frames the bus
// dropped (wire nil), frames of an H.264 key are passed on again from the
// next keyframe, which is asked for: viewers here never get a frame they
// cannot decode.
func (s *Stream) publishRemote(key string, wire []byte) {
	if wire == nil {
		if hub.IsInterKey(key) {
			s.mu.Lock()
			s.gaps[key] = true
			s.mu.Unlock()
			s.hub.RequestKey(key)
		}
		return
	}
	h, data, err := protocol.DecodeFrame(wire)
	if err != nil {
		return
	}
	f := hub.FrameFromMessage(h, wire, len(data))
	if f.Rendition = hub.HeaderKey(h); f.Rendition != key {
		return
	}
	now := time.Now()
	s.mu.Lock()
	if s.publisher != nil || s.closed {
		s.mu.Unlock()
		return // a producer here now: its frames win
	}
	if s.gaps[key] {
		if !f.Keyframe() {
			s.mu.Unlock()
			s.hub.RequestKey(key)
			return
		}
		delete(s.gaps, key)
	}
	// A relay whose viewers all take a smaller rendition gets no full-size
	// frames: the stream's size is then its ladder's first.
	capture := s.countLocked(h, len(data))
	if h.Rendition != "" && len(s.ladder) > 0 {
		s.width, s.height = s.ladder[0].W, s.ladder[0].H
	}
	s.mu.Unlock()
	if capture {
		s.in.Tick(now)
		s.out.Tick(now)
	}
	if s.hub.Status().State != protocol.StateLive {
		s.hub.SetStatus(protocol.Status{State: protocol.StateLive, Source: s.Name})
	}
	s.pass(f, now)
}

// onKeyframe takes another relay's keyframe request for its viewers: the
// producer here is asked (tellViewers). A key that is not one a relay
// passes on changes nothing.
func (l *link) onKeyframe(b []byte) {
	if key := string(b); validKey(key) && hub.IsInterKey(key) {
		l.s.hub.RequestKey(key)
	}
}
