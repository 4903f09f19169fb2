package relay

import (
	"fmt"
	"slices"
	"strings"

	"framecast/backend/protocol"
)

// setLadder records the renditions producer p offers, checked: the first
// is the stream's own size, each next one smaller, at most
// protocol.MaxRenditions below it, names as protocol.RenditionName gives;
// and the codecs it offers besides JPEG (checkCodecs).
func (s *Stream) setLadder(p *publisher, c protocol.RenditionsOffer) error {
	if err := checkLadder(c.Renditions); err != nil {
		return err
	}
	codecs, err := checkCodecs(c.Codecs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.publisher != p {
		s.mu.Unlock()
		return errNotProducer
	}
	s.ladder, s.codecs, s.told, s.steps = c.Renditions, codecs, true, c.Steps && len(codecs) > 0
	s.mu.Unlock()
	s.hub.RenditionsChanged()
	return nil
}

// checkLadder checks a ladder as setLadder describes it.
func checkLadder(ladder []protocol.Rendition) error {
	if len(ladder) > protocol.MaxRenditions+1 {
		return fmt.Errorf("renditions: at most %d", protocol.MaxRenditions+1)
	}
	for i, r := range ladder {
		if r.W < 16 || r.H < 16 || r.W > 7680 || r.H > 4320 || r.Quality < 1 || r.Quality > 100 || !validRenditionName(r.Name) {
			return fmt.Errorf("rendition %d (%s %dx%d q%d): sizes 16x16 to 7680x4320, quality 1-100, named like 360p", i, protocol.Quote(r.Name), r.W, r.H, r.Quality)
		}
		if i > 0 && (r.W >= ladder[i-1].W || r.H >= ladder[i-1].H) {
			return fmt.Errorf("rendition %s: each must be smaller than the one before it", protocol.Quote(r.Name))
		}
	}
	return nil
}

// validRenditionName reports whether name is a height and "p", as
// protocol.RenditionName makes them: "360p".
func validRenditionName(name string) bool {
	digits := strings.TrimSuffix(name, "p")
	if len(digits) == 0 || len(digits) > 4 || len(digits) == len(name) {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Renditions are the sizes the producer offers, its own first; nil for a
// producer of one size. The stream's viewers may pin or be moved between
// them as on serve's own server.
func (s *Stream) Renditions() []protocol.Rendition {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ladder) < 2 {
		return nil
	}
	return slices.Clone(s.ladder)
}

// offers reports whether the producer announced a smaller rendition name.
func (s *Stream) offers(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.ladder[min(1, len(s.ladder)):] {
		if r.Name == name {
			return true
		}
	}
	return false
}

// wanted is the sorted list of what viewers take now, here and in a
// cluster on the other relays, as the producer is asked for it: to one
// that offered codecs, every hub key (exact; "" the own size in JPEG), to
// one that did not, the smaller renditions in JPEG (its own size it
// always sends). Keys the producer does not offer are left out.
func (s *Stream) wanted() (want []string, exact bool) {
	s.mu.Lock()
	exact = len(s.codecs) > 0 && s.told
	s.mu.Unlock()
	seen := map[string]bool{}
	add := func(key string) {
		if seen[key] || !s.offersKey(key, exact) {
			return
		}
		seen[key] = true
		want = append(want, key)
	}
	for key := range s.hub.Taken() {
		add(key)
	}
	if s.link != nil {
		for _, key := range s.link.remoteWanted() {
			add(key)
		}
	}
	slices.Sort(want)
	return want, exact
}
