package server

import (
	"io/fs"
	"net/http"
)

// setPageHeaders keeps the token out of Referer headers and locks the page
// down to its own scripts.
func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
}

func (sh *Handler) servePage(w http.ResponseWriter, _ *http.Request) {
	sh.servePageWithStatus(w, http.StatusOK)
}

// servePageWithStatus serves the viewer page with status: 401 for a
// relay's link that is not valid yet, where the page keeps trying.
func (sh *Handler) servePageWithStatus(w http.ResponseWriter, status int) {
	page, err := fs.ReadFile(sh.assets, "viewer.html")
	if err != nil {
		sh.log.Error("viewer page missing from the build", "err", err)
		http.Error(w, "viewer page missing from this build (run make build)", http.StatusInternalServerError)
		return
	}
	setPageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}
