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
	"time"
)

// Config says where and how to serve.
type Config struct {
	Addr  string      // listen address, e.g. ":8188" or "127.0.0.1:0"
	Token string      // access token for every endpoint but /healthz
	Name  string      // stream name shown to viewers
	TLS   *tls.Config // nil: plain HTTP
}

// Server serves one stream on its own port: the app's and serve's server.
// Close stops it and disconnects every viewer.
type Server struct {
	*Handler
	log   *slog.Logger
	ln    net.Listener
	https bool
	http  *http.Server
	done  chan struct{} // closed when Serve has returned
}

// New listens on cfg.Addr and starts serving. A port in use is an error
// that says so.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.Token == "" {
		return nil, errors.New("server: empty token")
	}
	if cfg.Name == "" {
		cfg.Name = "framecast"
	}
	ln, err := Listen(cfg.Addr, cfg.TLS)
	if err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	d.Log = log
	s := &Server{Handler: NewHandler(cfg.Name, cfg.Token, d), log: log.With("component", "server"), ln: ln,
		https: cfg.TLS != nil, done: make(chan struct{})}
	s.http = NewHTTPServer(WithHealth(s.Handler), s.log)
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	return s, nil
}

// Listen opens addr, with TLS when tc is set.
func Listen(addr string, tc *tls.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tc != nil {
		ln = tls.NewListener(ln, tc)
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

// NewHTTPServer wraps h with Framecast's timeouts and logging.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           allowDesktopApp(h),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
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
