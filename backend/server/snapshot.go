package server

import (
	"net/http"
	"strconv"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// snapshotWait bounds how long a snapshot waits for a fresh frame.
const snapshotWait = 5 * time.Second

// serveSnapshot replies with the next frame the engine makes. Subscribing
// wakes the engine if nobody else watches, so the picture is fresh. While
// it waits (up to snapshotWait) it holds a viewer slot like any viewer, so
// snapshots cannot get round the viewer limits.
func (sh *Handler) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	epoch := sh.hub.RenditionsEpoch() // before the ladder: a change after it is seen
	ladder := sh.ladder()
	key, pinned, release, ok := sh.admitRendition(w, r, ladder)
	if !ok {
		return
	}
	defer release()
	sub := sh.hub.Subscribe("snapshot", r.RemoteAddr, sh.pictureKey(key))
	defer sh.hub.Unsubscribe(sub)
	timeout := time.NewTimer(snapshotWait)
	defer timeout.Stop()
	var f *hub.Frame
	for f == nil {
		select {
		case <-r.Context().Done():
			return
		case <-sh.ctx.Done():
			http.Error(w, "the stream has ended", http.StatusServiceUnavailable)
			return
		case <-timeout.C:
			if f = sh.hub.Latest(sub.Rendition()); f == nil {
				http.Error(w, "no frame yet: the source is not giving pictures", http.StatusServiceUnavailable)
				return
			}
		case <-sub.Wake():
			if e := sh.hub.RenditionsEpoch(); e != epoch {
				// The rendition asked for is no longer made: the nearest.
				epoch = e
				key = follow(key, wanted(key, pinned, ladder), ladder, sh.ladder())
				sub.SetRendition(sh.pictureKey(key))
			}
			f = sub.TakeFrame()
		}
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	h.Set("X-Timestamp", strconv.FormatInt(f.Header.TS, 10))
	if _, err := w.Write(f.Data); err == nil {
		sub.Delivered(time.Now(), len(f.Data))
	}
}

// State is the JSON /api/state returns.
type State struct {
	protocol.Stats
	// Sent, BytesSent and Dropped add up every viewer's, past ones too.
	Sent      uint64      `json:"sent"`
	BytesSent uint64      `json:"bytesSent"`
	Dropped   uint64      `json:"dropped"`
	Viewers   []hub.Stats `json:"viewers"`
}

// serveState answers /api/state. A viewer gets the source without
// credentials and no viewer's address; the operator (isOperator) all of it.
func (sh *Handler) serveState(w http.ResponseWriter, r *http.Request) {
	t := sh.hub.Totals()
	st := State{Stats: sh.stream.Stats(), Sent: t.FramesSent, BytesSent: t.BytesSent, Dropped: t.Drops, Viewers: sh.hub.Viewers(time.Now())}
	if !isOperator(r) {
		st.Stats = st.Public()
		for i := range st.Viewers {
			st.Viewers[i].Addr = ""
		}
	}
	httpx.WriteJSON(w, http.StatusOK, st)
}
