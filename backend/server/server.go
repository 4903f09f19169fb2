// Package server is Framecast's HTTP side: the viewer page, the WebSocket and
// MJPEG streams, snapshots and state, all behind the stream's access token.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"framecast/backend/protocol"
)

// Config says where and how to serve.
type Config struct {
	Addr  string      // listen address, e.g. ":8188" or "127.0.0.1:0"
	Token string      // access token for every endpoint but /healthz
	Name  string      // stream name shown to viewers
	TLS   *tls.Config // nil: plain HTTP
	// Loopback also serves the stream on a plain-HTTP port of 127.0.0.1,
	// for the desktop app's own preview: its webview would refuse the
	// self-signed certificate of --tls auto.
	Loopback bool
}

// Server serves one stream on its own port: the app's and serve's server.
// Close stops it and disconnects every viewer.
type Server struct {
	*Handler
	log   *slog.Logger
	ln    net.Listener
	https bool
	loop  net.Listener // nil unless Config.Loopback
	http  *http.Server
	done  chan struct{} // closed when every Serve has returned
}

// New listens on cfg.Addr and starts serving. A port in use is an error
// that says so.
func New(cfg Config, d Deps) (*Server, error) {
	if err := protocol.CheckToken(cfg.Token); err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if cfg.Name == "" {
		cfg.Name = "framecast"
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	d.Log = log
	ln, err := Listen(cfg.Addr, cfg.TLS, d.Limits, log.With("component", "server"))
	if err != nil {
		return nil, err
	}
	listeners := []net.Listener{ln}
	var loop net.Listener
	if cfg.Loopback {
		if loop, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen on loopback: %w", err)
		}
		listeners = append(listeners, loop)
	}
	// The handler starts a goroutine: made only once nothing else can fail.
	s := &Server{Handler: NewHandler(cfg.Name, cfg.Token, d), log: log.With("component", "server"), ln: ln,
		loop: loop, https: cfg.TLS != nil, done: make(chan struct{})}
	s.http = NewHTTPServer(TrustProxies(allowOrigins(WithHealth(s.Handler), d.Origins), d.Limits.TrustedProxies), s.log, d.OnPanic)
	if s.loop != nil {
		loop := s.loop.Addr().String()
		s.http.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			if c.LocalAddr().String() == loop {
				return context.WithValue(ctx, loopbackKey{}, true)
			}
			return ctx
		}
	}
	var wg sync.WaitGroup
	for _, l := range listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("serve", "err", err)
			}
		}()
	}
	go func() { wg.Wait(); close(s.done) }()
	return s, nil
}

// LoopbackAddr is the plain-HTTP loopback address, or nil without
// Config.Loopback.
func (s *Server) LoopbackAddr() net.Addr {
	if s.loop == nil {
		return nil
	}
	return s.loop.Addr()
}

// loopbackKey marks, in a request's context, a connection that came in on
// the desktop preview's loopback listener.
type loopbackKey struct{}

// onLoopbackListener reports whether the request came in on the loopback
// listener of Config.Loopback: only the desktop app's own preview does.
func onLoopbackListener(ctx context.Context) bool {
	v, _ := ctx.Value(loopbackKey{}).(bool)
	return v
}

// HTTPS reports whether the main port serves TLS.
func (s *Server) HTTPS() bool { return s.https }

// Listen opens addr, with TLS when tc is set, keeping its connections
// within l's MaxConns and MaxConnsPerIP (connLimiter), lowered to what the
// process may open (Limits.FitOpenFiles; log says so); log says when it
// refuses some. Limits that cannot work together are an error.
func Listen(addr string, tc *tls.Config, l Limits, log *slog.Logger) (net.Listener, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	l, lowered := l.FitOpenFiles(openFilesLimit())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if lowered != "" {
		log.Warn("connection limits " + lowered)
	}
	ln = newConnLimiter(ln, l, log)
	if tc != nil {
		// On top: a refused connection costs no handshake. Plain HTTP on
		// this port gets a redirect to https.
		ln = newHTTPSListener(ln, tc)
	}
	return ln, nil
}

// Addr is the address the server listens on, with the real port.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close tells viewers the server is going away, closes them and stops.
func (s *Server) Close() {
	s.Handler.Close("server is shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.done
}

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
