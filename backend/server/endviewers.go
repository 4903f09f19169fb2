package server

import (
	"time"

	"framecast/backend/protocol"
)

// kickWith ends the viewer from the server's side, telling it bye.
func (v *wsViewer) kickWith(bye *protocol.Bye) {
	v.kick.CompareAndSwap(nil, bye)
	v.sub.Poke()
}

// closeViewers tells every WebSocket viewer why and disconnects it.
func (sh *Handler) closeViewers(reason string) {
	sh.viewersMu.Lock()
	defer sh.viewersMu.Unlock()
	for v := range sh.viewers {
		v.kickWith(&protocol.Bye{Type: "bye", Reason: reason})
	}
}

// closeOwnViewers tells the viewers of the stream's own link why and
// disconnects them (WebSocket, MJPEG, clip downloads): customer links'
// viewers watch on.
func (sh *Handler) closeOwnViewers(reason string) {
	sh.viewersMu.Lock()
	defer sh.viewersMu.Unlock()
	for v := range sh.viewers {
		if v.link == "" {
			v.kickWith(&protocol.Bye{Type: "bye", Reason: reason})
		}
	}
	for stop := range sh.ownStops {
		(*stop)()
	}
}

// Move tells remote viewers that the stream no longer serves at this
// address (its port or HTTPS changed), so their pages stop retrying and say
// why, and returns how many remote viewers of any kind there are: the
// operator is told how many lose the picture. The desktop's own preview is
// told only why: it follows the move by itself. Close the server after.
func (sh *Handler) Move(reason string) int {
	// Counted before they are told: a viewer told leaves the hub at once.
	n := 0
	for _, st := range sh.hub.Viewers(time.Now()) {
		if st.Kind != "preview" {
			n++
		}
	}
	sh.viewersMu.Lock()
	for v := range sh.viewers {
		v.kickWith(&protocol.Bye{Type: "bye", Reason: reason, Moved: v.sub.Kind != "preview"})
	}
	sh.viewersMu.Unlock()
	return n
}
