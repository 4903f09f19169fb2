package httpx

import (
	"log/slog"
	"net/http"
	"time"
)

// Timeouts of plain HTTP connections. A WebSocket, once upgraded, is no
// longer the http.Server's: it keeps its own (ws.go), and so does an MJPEG
// stream, which is one long response.
const (
	// readHeaderTimeout bounds how long a client takes to send a request's
	// headers (the TLS handshake too): a connection that says nothing is
	// closed this soon.
	readHeaderTimeout = 5 * time.Second
	// idleTimeout closes a kept-alive connection with no next request. The
	// viewer page needs none kept for long: its frames come over the
	// WebSocket, and it asks healthz and api/state only after a failure.
	idleTimeout = 15 * time.Second
	// maxHeaderBytes bounds a request's headers, well above what a browser
	// sends to a stream.
	maxHeaderBytes = 64 << 10
	// bodyTimeout bounds how long a request's body may take to arrive, as
	// readHeaderTimeout bounds its headers. No endpoint takes a body, yet
	// net/http reads what one brings (to keep the connection) with no
	// deadline of its own: a POST dripping a byte every 2 s would hold its
	// connection, and a few dozen addresses every one of --max-conns.
	bodyTimeout = 5 * time.Second
	// maxBodyBytes bounds a request's body; no endpoint takes one.
	maxBodyBytes = 64 << 10
)

// httpTimeouts are the http.Server's timeouts: the constants above, or
// shorter ones in tests.
type httpTimeouts struct{ header, idle, body time.Duration }

// NewHTTPServer wraps h with Framecast's timeouts and logging. A handler
// that panics is logged at error level and counted with onPanic (nil: not
// counted).
func NewHTTPServer(h http.Handler, log *slog.Logger, onPanic func()) *http.Server {
	return newHTTPServer(h, log, onPanic, httpTimeouts{header: readHeaderTimeout, idle: idleTimeout, body: bodyTimeout})
}

func newHTTPServer(h http.Handler, log *slog.Logger, onPanic func(), t httpTimeouts) *http.Server {
	if t.body <= 0 {
		t.body = bodyTimeout
	}
	return &http.Server{
		Handler:           recoverPanics(boundBodies(h, t.body), log, onPanic),
		ReadHeaderTimeout: t.header,
		IdleTimeout:       t.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// boundBodies gives a request that brings a body (a Content-Length, or
// chunks) timeout to send it whole, and at most maxBodyBytes of it: the
// connection's read deadline, which the server's own reading of an unread
// body after the handler (to keep the connection) meets too. The
// http.Server's ReadTimeout would do the first for every request, but it
// would also end MJPEG streams: net/http cancels a request whose
// connection's background read times out. A request without a body (every
// GET, WebSocket upgrades included) is left as it is; gorilla clears the
// deadlines of the connections it takes over anyway.
func boundBodies(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 { // -1: chunked, or until the connection closes
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// WithHealth adds GET /healthz, which needs no token, in front of h.
func WithHealth(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/", h)
	return mux
}
