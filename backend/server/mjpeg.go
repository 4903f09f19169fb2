package server

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"framecast/backend/links"
)

// boundary separates MJPEG parts.
const boundary = "framecast"

// serveMJPEG streams multipart/x-mixed-replace JPEGs for clients without
// JavaScript. The boundary goes out right after each frame, and each part is
// flushed at once, so a browser shows a frame as soon as it arrives.
func (sh *Handler) serveMJPEG(w http.ResponseWriter, r *http.Request) {
	epoch := sh.hub.RenditionsEpoch() // before the ladder: a change after it is seen
	ladder := sh.ladder()
	key, pinned, release, ok := sh.admitRendition(w, r, ladder)
	if !ok {
		return
	}
	defer release()
	ctx, stop := context.WithCancel(r.Context())
	defer stop()
	var sent atomic.Uint64
	session, ok := sh.join(w, r, links.Viewer{Kind: "mjpeg", Codec: "jpeg", Rendition: key, Cut: func(string, string) { stop() }, Bytes: sent.Load})
	if !ok {
		return
	}
	defer func() { session.End(sent.Load()) }()
	if grantOf(r).Link == "" {
		sh.viewersMu.Lock()
		sh.ownStops[&stop] = struct{}{}
		sh.viewersMu.Unlock()
		defer func() {
			sh.viewersMu.Lock()
			delete(sh.ownStops, &stop)
			sh.viewersMu.Unlock()
		}()
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "multipart/x-mixed-replace; boundary="+boundary)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	sub := sh.hub.Subscribe("mjpeg", r.RemoteAddr, sh.pictureKey(key))
	defer sh.hub.Unsubscribe(sub)
	want := wanted(key, pinned, ladder)
	if _, err := fmt.Fprintf(w, "--%s\r\n", boundary); err != nil || rc.Flush() != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sh.ctx.Done():
			return
		case <-sub.Wake():
		}
		if e := sh.hub.RenditionsEpoch(); e != epoch {
			// A rendition no longer made: it has no hello to be told of
			// the move, its pictures change size.
			epoch = e
			now := sh.ladder()
			key = follow(key, want, ladder, now)
			ladder = now
		}
		// The chain may start or stop drawing boxes in at any frame.
		if pk := sh.pictureKey(key); pk != sub.Rendition() {
			sub.SetRendition(pk)
		}
		f := sub.TakeFrame()
		if f == nil {
			continue
		}
		_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
		_, err := fmt.Fprintf(w, "Content-Type: image/jpeg\r\nContent-Length: %d\r\nX-Timestamp: %d\r\n\r\n", len(f.Data), f.Header.TS)
		if err == nil {
			_, err = w.Write(f.Data)
		}
		if err == nil {
			_, err = fmt.Fprintf(w, "\r\n--%s\r\n", boundary)
		}
		if err != nil || rc.Flush() != nil {
			return
		}
		sub.Delivered(time.Now(), len(f.Data))
		sent.Add(uint64(len(f.Data)))
	}
}
