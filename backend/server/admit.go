package server

import (
	"framecast/backend/httpx"
	"net/http"
	"strconv"
)

// Admit checks a streaming viewer (WebSocket or MJPEG, the relay's
// old-style clients, or a snapshot waiting for its frame) against the
// limits before it is served; it replies itself and returns ok=false when
// refused. The caller calls release when the viewer has gone.
func (sh *Handler) Admit(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	sh.viewersMu.Lock()
	if sh.streaming >= sh.maxViewers {
		sh.viewersMu.Unlock()
		w.Header().Set("Retry-After", "30")
		http.Error(w, "this stream already has its maximum of "+strconv.Itoa(sh.maxViewers)+" viewers; try again later", http.StatusServiceUnavailable)
		return nil, false
	}
	sh.streaming++
	sh.viewersMu.Unlock()
	releaseIP, ok := sh.guard.Acquire(httpx.ClientIP(r))
	if !ok {
		sh.viewersMu.Lock()
		sh.streaming--
		sh.viewersMu.Unlock()
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many connections from your address", http.StatusTooManyRequests)
		return nil, false
	}
	return func() {
		releaseIP()
		sh.viewersMu.Lock()
		sh.streaming--
		sh.viewersMu.Unlock()
	}, true
}
