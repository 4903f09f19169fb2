package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// renditioner is a stream that offers smaller copies of its frames: the
// engine. A relay's streams forward what producers send, one size.
type renditioner interface {
	Renditions() []protocol.Rendition
}

// burner is a stream whose chain draws its detections onto the picture for
// clients that cannot draw them: the engine with the overlay processor. It
// encodes those copies under hub.BurnKey while one takes them.
type burner interface {
	Burns() bool
}

// stepper is a stream that encodes each H.264 rendition at a lower
// bitrate too (hub.LowKey), while a viewer takes it: the engine. A relay's
// streams forward what their producers send under the keys they name, one
// bitrate a rendition.
type stepper interface {
	BitrateSteps() bool
}

// bitrateSteps reports whether the stream makes the lower bitrate steps an
// H.264 viewer's adaptation takes before a smaller size.
func (sh *Handler) bitrateSteps() bool {
	st, ok := sh.stream.(stepper)
	return ok && st.BitrateSteps()
}

// pictureKey is the hub key a client that cannot draw boxes (MJPEG, a
// snapshot) takes for rendition key: the copy with them drawn on when the
// stream makes one.
func (sh *Handler) pictureKey(key string) string {
	if b, ok := sh.stream.(burner); ok && b.Burns() {
		return hub.BurnKey(key)
	}
	return key
}

// ladder is the stream's renditions now, the stream's own size first; nil
// for a stream of one size.
func (sh *Handler) ladder() []protocol.Rendition {
	if r, ok := sh.stream.(renditioner); ok {
		return r.Renditions()
	}
	return nil
}

// pickRendition reads ?rendition=NAME or ?width=N against the ladder. It
// returns the hub's key of the rendition asked for ("" the stream's own
// size) and whether one was asked for at all (else: auto). A name the
// stream does not offer is an error that lists those it does.
func pickRendition(q url.Values, ladder []protocol.Rendition) (key string, pinned bool, err error) {
	name, width := strings.TrimSpace(q.Get("rendition")), strings.TrimSpace(q.Get("width"))
	switch {
	case width != "":
		n, err := strconv.Atoi(width)
		if err != nil || n < 1 || n > 100000 {
			return "", false, fmt.Errorf("width %s: a number of pixels", protocol.Quote(width))
		}
		return widest(ladder, n), true, nil
	case name == "" || name == "auto":
		return "", false, nil
	}
	for i, r := range ladder {
		if r.Name == name {
			if i == 0 {
				return "", true, nil
			}
			return r.Name, true, nil
		}
	}
	if len(ladder) == 0 && (name == "full" || name == "source") {
		return "", true, nil
	}
	names := make([]string, 0, len(ladder)+1)
	for _, r := range ladder {
		names = append(names, r.Name)
	}
	return "", false, fmt.Errorf("rendition %s: this stream offers %s or auto", protocol.Quote(name), strings.Join(names, ", "))
}

// widest is the key of the largest rendition at most n pixels wide, or of
// the smallest when none is that narrow.
func widest(ladder []protocol.Rendition, n int) string {
	for i, r := range ladder {
		if r.W <= n {
			if i == 0 {
				return ""
			}
			return r.Name
		}
	}
	if len(ladder) > 1 {
		return ladder[len(ladder)-1].Name
	}
	return ""
}

// keys are the hub's keys of the ladder's renditions, the largest first.
func keys(ladder []protocol.Rendition) []string {
	out := []string{""}
	for _, r := range ladder[min(1, len(ladder)):] {
		out = append(out, r.Name)
	}
	return out
}

// admitRendition reads the rendition a viewer's request asks for against
// the ladder and takes a viewer slot for it. A rendition the stream does not
// offer is answered with 400, a refused slot as Admit answers; ok is false
// once the request has been answered.
func (sh *Handler) admitRendition(w http.ResponseWriter, r *http.Request, ladder []protocol.Rendition) (key string, pinned bool, release func(), ok bool) {
	key, pinned, err := pickRendition(r.URL.Query(), ladder)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return "", false, nil, false
	}
	release, ok = sh.Admit(w, r)
	return key, pinned, release, ok
}
