package server

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sync"

	"framecast/backend/httpx"
	"framecast/backend/protocol"
)

// Mount is one stream of a Site: its name in the address (/s/<name>/) and
// its handler.
type Mount struct {
	Name    string
	Handler *Handler
	// Ingest takes the stream's producer on /ingest/<name> (a stream
	// whose source is ingest); nil: the stream takes none.
	Ingest http.Handler
}

// Site serves the streams of one server (`framecast serve`, the desktop
// app) on one port: each at /s/<name>/, as the relay does; the first one
// also at the single-stream paths (/ws, /?token=, /stream.mjpg, …), so
// links made before there were several keep working; the grid page at /
// for a token that opens several; and /api/streams, the streams a token
// opens. Requests to /api/streams that carry an Authorization header go to
// the runtime API (Admin), as do /api/links and /api/audit.
//
// Who runs the streams (backend/site) owns the list and replaces it whole
// with Set; the Site only routes.
type Site struct {
	assets  fs.FS
	log     *slog.Logger
	guard   *httpx.Guard
	unknown *Handler // answers for names the site does not have
	admin   http.Handler
	mux     *http.ServeMux

	mu      sync.RWMutex
	streams []Mount // in order; guarded by mu
}

// NewSite returns a Site with no streams. d's Guard is shared by every
// stream (the site's streams should be made with it, so wrong tokens count
// once whatever stream they try); admin serves the runtime API, nil: off.
func NewSite(d Deps, admin http.Handler) *Site {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Guard == nil {
		d.Guard = httpx.NewGuard(d.Limits)
	}
	s := &Site{assets: d.Assets, log: d.Log.With("component", "server"), guard: d.Guard, admin: admin}
	s.unknown = NewRefusingHandler(d)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveRoot)
	mux.HandleFunc("/api/streams", s.serveStreams)
	mux.HandleFunc("/api/streams/", s.serveStreams)
	mux.HandleFunc("/api/links", s.serveAdmin)
	mux.HandleFunc("/api/links/", s.serveAdmin)
	mux.HandleFunc("/api/audit", s.serveAdmin)
	StreamRoutes(mux, s.serveStream)
	mux.HandleFunc("GET /ingest/{stream}", s.serveIngest)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.first().ServeHTTP(w, r) }))
	s.mux = mux
	return s
}

// Guard is the guard the site's streams share.
func (s *Site) Guard() *httpx.Guard { return s.guard }

// Set replaces the list of streams; the first is the one at the
// single-stream paths.
func (s *Site) Set(streams []Mount) {
	s.mu.Lock()
	s.streams = append([]Mount(nil), streams...)
	s.mu.Unlock()
}

// Streams lists the streams, in order.
func (s *Site) Streams() []Mount {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Mount(nil), s.streams...)
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// first is the handler of the single-stream paths: the first stream's, or
// the refusing one while there is none.
func (s *Site) first() *Handler {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.streams) == 0 {
		return s.unknown
	}
	return s.streams[0].Handler
}

func (s *Site) lookup(name string) *Handler {
	if m, ok := s.mount(name); ok {
		return m.Handler
	}
	return nil
}

func (s *Site) mount(name string) (Mount, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.streams {
		if m.Name == name {
			return m, true
		}
	}
	return Mount{}, false
}

// serveIngest hands a producer's request on /ingest/{stream} (the relay's
// URL form) to its stream; a stream that takes no producer, or a name the
// site does not have, is refused alike.
func (s *Site) serveIngest(w http.ResponseWriter, r *http.Request) {
	m, ok := s.mount(r.PathValue("stream"))
	if !ok || m.Ingest == nil {
		RefuseIngest(w, r, s.guard)
		return
	}
	m.Ingest.ServeHTTP(w, r)
}

// RefuseIngest answers a producer's request for a stream that takes none,
// or does not exist: counted by guard (nil: not counted) as a wrong token
// is, then 404, so names cannot be found out by asking.
func RefuseIngest(w http.ResponseWriter, r *http.Request, guard *httpx.Guard) {
	if guard != nil && guard.Refused(w, r) {
		return
	}
	http.Error(w, "404 not found: no stream of that name takes a producer", http.StatusNotFound)
}

// opened lists the streams token opens, by their own tokens or a customer
// link's. Every stream's token is compared, each in constant time, so the
// time taken does not say which.
func (s *Site) opened(token string) []Mount {
	var out []Mount
	for _, m := range s.Streams() {
		if m.Handler.Opens(token) {
			out = append(out, m)
		}
	}
	return out
}

// serveStream hands a request under /s/{stream}/ to its stream; a name the
// site does not have is answered as a wrong token is, so names cannot be
// found out by asking.
func (s *Site) serveStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stream")
	h := s.lookup(name)
	if h == nil {
		h = s.unknown
	}
	http.StripPrefix("/s/"+name, h).ServeHTTP(w, r)
}

// serveRoot is the page at /: the grid for a token that opens several
// streams, the first stream's viewer for its own token (the single-stream
// link), and for a token that opens one other stream, that stream's page.
// Any other token is the first stream's to refuse, with its reasons
// (replaced, wrong).
func (s *Site) serveRoot(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	opened := s.opened(token)
	switch {
	case len(opened) > 1:
		s.serveGrid(w)
	case len(opened) == 1 && opened[0].Handler != s.first():
		u := url.URL{Path: "s/" + opened[0].Name + "/", RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusFound)
	default:
		s.first().ServeHTTP(w, r)
	}
}

// serveGrid serves the grid page, which lists the streams with
// /api/streams and shows each in a tile.
func (s *Site) serveGrid(w http.ResponseWriter) {
	servePage(w, s.assets, "grid.html", http.StatusOK, s.log)
}

// StreamEntry is one stream of /api/streams for a viewer's token.
type StreamEntry struct {
	Name string `json:"name"`
	// Path is the stream's viewer page, relative to the server's root.
	Path string `json:"path"`
}

// StreamList is /api/streams' answer to a viewer's token.
type StreamList struct {
	Streams []StreamEntry `json:"streams"`
}

// serveStreams answers /api/streams: requests with an Authorization header
// are the runtime API's (Admin), never a viewer's; the rest may only list
// the streams their ?token= opens.
func (s *Site) serveStreams(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("Authorization") != "" || r.Method != http.MethodGet || r.URL.Path != "/api/streams" {
		s.serveAdmin(w, r)
		return
	}
	opened := s.opened(r.URL.Query().Get("token"))
	if len(opened) == 0 {
		if s.guard.Refused(w, r) {
			return
		}
		w.Header().Set(protocol.RefusedHeader, protocol.RefusedToken)
		http.Error(w, "401 unauthorized: this link's token is missing or wrong", http.StatusUnauthorized)
		return
	}
	list := StreamList{Streams: make([]StreamEntry, 0, len(opened))}
	for _, m := range opened {
		list.Streams = append(list.Streams, StreamEntry{Name: m.Name, Path: "s/" + url.PathEscape(m.Name) + "/"})
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}

// serveAdmin hands a request to the runtime API (Admin: /api/streams with
// an Authorization header, /api/links, /api/audit), which checks the
// admin token; with no API, every such request is refused as a wrong
// token is.
func (s *Site) serveAdmin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if s.admin == nil {
		if s.guard.Refused(w, r) {
			return
		}
		http.Error(w, "401 unauthorized: the runtime API is off (set admin_token in the config file, or --admin-token)", http.StatusUnauthorized)
		return
	}
	s.admin.ServeHTTP(w, r)
}

// Close ends the refusing handler's goroutines; the streams' handlers are
// their owners' to close.
func (s *Site) Close() { s.unknown.Close("") }
