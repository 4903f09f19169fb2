package server

import (
	"io/fs"
	"log/slog"
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
	servePage(w, sh.assets, "viewer.html", status, sh.log)
}

// servePage serves the built page name of assets with status.
func servePage(w http.ResponseWriter, assets fs.FS, name string, status int, log *slog.Logger) {
	page, err := fs.ReadFile(assets, name)
	if err != nil {
		log.Error("page missing from the build", "page", name, "err", err)
		http.Error(w, name+" missing from this build (run make build)", http.StatusInternalServerError)
		return
	}
	setPageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// StreamRoutes adds to mux what the relay and a Site serve alike under
// /s/{stream}/: serve for a stream's requests, /s/{stream} redirected
// there, and /s/{stream}/healthz, which a viewer page asks with no token
// to tell a server that is down from one that is up. It says only that:
// the same answer for every name, so it cannot tell which streams exist.
func StreamRoutes(mux *http.ServeMux, serve http.HandlerFunc) {
	mux.HandleFunc("GET /s/{stream}", func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		u.Path += "/"
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/s/{stream}/", serve)
	mux.HandleFunc("GET /s/{stream}/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
}
