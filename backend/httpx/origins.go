package httpx

import (
	"net/http"
	"slices"

	"framecast/backend/protocol"
)

// AllowOrigins lets pages of the listed origins (the desktop app's
// webview, --allow-origin) read responses: the app's preview asks /healthz
// and /api/state why a connection failed. No other origin is granted
// anything.
func AllowOrigins(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); o != "" && slices.Contains(origins, o) {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Expose-Headers", protocol.RefusedHeader)
		}
		next.ServeHTTP(w, r)
	})
}
