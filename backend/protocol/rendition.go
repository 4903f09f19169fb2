package protocol

import (
	"fmt"
	"strconv"
	"strings"
)

// Rendition is one size and quality of a stream. The first of a stream's
// renditions is the stream itself; the others are smaller copies of the
// same frames, encoded only while some viewer takes them.
type Rendition struct {
	Name    string `json:"name"` // the height and "p": "720p", "360p"
	W       int    `json:"w"`
	H       int    `json:"h"`
	Quality int    `json:"quality"`
}

// RenditionName names a rendition of height h.
func RenditionName(h int) string { return strconv.Itoa(h) + "p" }

// DefaultRenditions are the smaller copies offered below the stream's own
// size: about 640×360, 426×240 and 320×180, at lower qualities. For a
// 1280×720 stream at quality 80 their frames are about a quarter, a tenth
// and a fifteenth of the size.
func DefaultRenditions() []Rendition {
	return []Rendition{
		{Name: "360p", W: 640, H: 360, Quality: 70},
		{Name: "240p", W: 426, H: 240, Quality: 60},
		{Name: "180p", W: 320, H: 180, Quality: 50},
	}
}

// MaxRenditions bounds the ladder: each one may cost an encode a frame.
const MaxRenditions = 6

// FormatRenditions writes renditions as ParseRenditions reads them:
// "640x360@70,426x240@60", or "none" for none.
func FormatRenditions(r []Rendition) string {
	if len(r) == 0 {
		return "none"
	}
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = fmt.Sprintf("%dx%d@%d", x.W, x.H, x.Quality)
	}
	return strings.Join(parts, ",")
}

// ParseRenditions reads --renditions: "640x360@70,426x240@60", largest
// first, each smaller than the one before; "none" or "" offers the stream
// alone.
func ParseRenditions(spec string) ([]Rendition, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "none" {
		return nil, nil
	}
	parts := strings.Split(spec, ",")
	if len(parts) > MaxRenditions {
		return nil, fmt.Errorf("renditions: at most %d", MaxRenditions)
	}
	var out []Rendition
	for _, p := range parts {
		size, q, ok := strings.Cut(strings.TrimSpace(p), "@")
		ws, hs, ok2 := strings.Cut(size, "x")
		w, errW := strconv.Atoi(ws)
		h, errH := strconv.Atoi(hs)
		quality, errQ := strconv.Atoi(q)
		if !ok || !ok2 || errW != nil || errH != nil || errQ != nil {
			return nil, fmt.Errorf("rendition %q: write WIDTHxHEIGHT@QUALITY, e.g. 640x360@70", p)
		}
		if w < 16 || h < 16 || w > 7680 || h > 4320 || quality < 1 || quality > 100 {
			return nil, fmt.Errorf("rendition %q: 16x16 to 7680x4320, quality 1-100", p)
		}
		if n := len(out); n > 0 && (w >= out[n-1].W || h >= out[n-1].H) {
			return nil, fmt.Errorf("rendition %q: each must be smaller than the one before it", p)
		}
		out = append(out, Rendition{Name: RenditionName(h), W: w, H: h, Quality: quality})
	}
	return out, nil
}

// Ladder is a stream's renditions: the stream itself (w×h at quality),
// then those of lower that are smaller than it.
func Ladder(w, h, quality int, lower []Rendition) []Rendition {
	out := []Rendition{{Name: RenditionName(h), W: w, H: h, Quality: quality}}
	for _, r := range lower {
		if r.W < w && r.H < h {
			out = append(out, r)
		}
	}
	return out
}
