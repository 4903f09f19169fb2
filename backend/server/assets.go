package server

import (
	"io/fs"
	"net/http"
	"strings"
)

// serveAssets serves the viewer's scripts and styles from the build's
// assets/ directory. They carry no stream data and are the same for
// everyone, so they need no token; nothing outside assets/ is served this
// way, however the path is written.
//
// The files come from a sub-FS rooted at assets/, which cannot name a file
// outside it, and the name is checked before that: a path that reaches
// here with "..", "." or empty elements left in it (sent as %2e%2e or
// %2f, which the mux does not clean), or with a backslash (a separator to
// some file systems), is refused with 404.
func (sh *Handler) serveAssets() http.Handler {
	files, err := fs.Sub(sh.assets, "assets")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/assets/")
		if sh.assets == nil || err != nil || !ok || !fs.ValidPath(name) || name == "." || strings.ContainsRune(name, '\\') {
			http.NotFound(w, r)
			return
		}
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, files, name)
	})
}
