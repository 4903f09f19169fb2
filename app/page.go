package app

import (
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"

	"framecast/backend/station"
)

// The window's page is told where its preview connects in the page itself,
// so the preview's WebSocket opens as soon as the page's script runs, not
// after a round trip to Go through a binding: on a busy machine that round
// trip waited behind everything else the page asks for at start. The
// binding (Share) still answers, and the page uses it when the page came
// without the address.

// previewMetaName names the meta element of index.html whose content is the
// preview's base URL and whose data-token is its token.
const previewMetaName = "framecast-preview"

// pageIndex is the path of the window's page in the built frontend.
const pageIndex = "index.html"

// withPreviewAddress returns a middleware for the window's asset server that
// serves index.html (at / and /index.html) with the preview's address, as
// address() says it is at that moment, in a meta element at the end of its
// head; everything else goes to next. Wails adds its runtime scripts to
// what this serves, as it does to the file. It fails when ui has no
// index.html with a head.
func withPreviewAddress(ui fs.FS, address func() (base, token string)) (func(http.Handler) http.Handler, error) {
	page, err := fs.ReadFile(ui, pageIndex)
	if err != nil {
		return nil, fmt.Errorf("read the window's page: %w", err)
	}
	at := bytes.Index(page, []byte("</head>"))
	if at < 0 {
		return nil, fmt.Errorf("the window's page %s has no </head>", pageIndex)
	}
	head, rest := page[:at], page[at:]
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || (r.URL.Path != "/" && r.URL.Path != "/"+pageIndex) {
				next.ServeHTTP(w, r)
				return
			}
			base, token := address()
			var b bytes.Buffer
			b.Grow(len(page) + 160)
			b.Write(head)
			fmt.Fprintf(&b, `<meta name="%s" content="%s" data-token="%s">`, previewMetaName, html.EscapeString(base), html.EscapeString(token))
			b.Write(rest)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			// The address changes with the port and the token: never reuse a copy.
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(b.Bytes())
		})
	}, nil
}

// previewAddress is where the window's own preview of the selected camera
// connects now.
func (a *App) previewAddress() (base, token string) { return a.previewOf(a.cur()) }

// previewOf is where the window's preview of st connects: its address
// under /s/<name>/, plain HTTP on loopback even when viewers get HTTPS,
// and its token.
func (a *App) previewOf(st *station.Station) (base, token string) {
	h := st.Handler()
	return "http://" + a.site.Server().LoopbackAddr().String() + "/s/" + url.PathEscape(h.Name()) + "/", h.Token()
}
