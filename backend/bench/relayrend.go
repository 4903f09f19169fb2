package bench

import (
	"encoding/json"
	"sync/atomic"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// ladder is what the benchmark's producer offers a Framecast relay: the
// 1280×720 frames, and the default renditions encoded from the same
// pictures, so viewers on slow links can be sent smaller ones as serve's
// engine would.
type ladder struct {
	renditions []protocol.Rendition
	frames     map[string][][]byte // per rendition name
	want       atomic.Pointer[[]string]
}

func newLadder(n, quality int) (*ladder, error) {
	l := &ladder{renditions: protocol.Ladder(1280, 720, quality, protocol.DefaultRenditions()), frames: map[string][][]byte{}}
	for _, r := range l.renditions[1:] {
		fs, err := testFramesAt(n, r.W, r.H, r.Quality)
		if err != nil {
			return nil, err
		}
		l.frames[r.Name] = fs
	}
	return l, nil
}

// offer is the producer's first message.
func (l *ladder) offer() []byte {
	b, _ := json.Marshal(map[string]any{"type": "renditions", "renditions": l.renditions})
	return b
}

// read takes the relay's messages: it keeps the renditions asked for.
func (l *ladder) read(msg []byte) {
	var m struct {
		Type string   `json:"type"`
		Want []string `json:"want"`
	}
	if json.Unmarshal(msg, &m) == nil && m.Type == "renditions" {
		l.want.Store(&m.Want)
	}
}

// messages are the smaller renditions of frame i the relay asked for.
func (l *ladder) messages(seq uint64, ts int64, i int) [][2]any {
	w := l.want.Load()
	if w == nil {
		return nil
	}
	var out [][2]any
	for _, name := range *w {
		for _, r := range l.renditions[1:] {
			if r.Name != name {
				continue
			}
			fs := l.frames[name]
			msg, _ := protocol.EncodeFrame(protocol.Header{Seq: seq, TS: ts, W: r.W, H: r.H, Rendition: name}, fs[i%len(fs)])
			out = append(out, [2]any{websocket.BinaryMessage, msg})
		}
	}
	return out
}
