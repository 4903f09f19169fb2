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

	"framecast/backend/httpx"
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

// Server serves on its own port: one stream (New), or a Site's streams
// (Serve). Close stops it and disconnects every viewer of the stream New
// made; a Site's streams are their owner's to close first.
type Server struct {
	*Handler // the stream New made; nil on a Site's server
	log      *slog.Logger
	ln       net.Listener
	https    bool
	loop     net.Listener // nil unless Config.Loopback
	http     *http.Server
	done     chan struct{} // closed when every Serve has returned
}

// New listens on cfg.Addr and starts serving one stream there. A port in
// use is an error that says so.
func New(cfg Config, d Deps) (*Server, error) {
	if err := protocol.CheckToken(cfg.Token); err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if cfg.Name == "" {
		cfg.Name = "framecast"
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s, err := listen(cfg, d.Limits, d.Log)
	if err != nil {
		return nil, err
	}
	// The handler starts a goroutine: made only once nothing else can fail.
	s.Handler = NewHandler(cfg.Name, cfg.Token, d)
	s.start(s.Handler, d)
	return s, nil
}

// Serve listens on cfg.Addr (cfg.Token and cfg.Name unused) and serves
// root there: a Site.
func Serve(cfg Config, root http.Handler, d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s, err := listen(cfg, d.Limits, d.Log)
	if err != nil {
		return nil, err
	}
	s.start(root, d)
	return s, nil
}

// listen opens the server's listeners.
func listen(cfg Config, limits httpx.Limits, log *slog.Logger) (*Server, error) {
	log = log.With("component", "server")
	ln, err := httpx.Listen(cfg.Addr, cfg.TLS, limits, log)
	if err != nil {
		return nil, err
	}
	s := &Server{log: log, ln: ln, https: cfg.TLS != nil, done: make(chan struct{})}
	if cfg.Loopback {
		if s.loop, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen on loopback: %w", err)
		}
	}
	return s, nil
}

// start serves root on the listeners.
func (s *Server) start(root http.Handler, d Deps) {
	s.http = httpx.NewHTTPServer(httpx.TrustProxies(httpx.AllowOrigins(httpx.WithHealth(root), d.Origins), d.Limits.TrustedProxies), s.log, d.OnPanic)
	listeners := []net.Listener{s.ln}
	if s.loop != nil {
		listeners = append(listeners, s.loop)
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

// Addr is the address the server listens on, with the real port.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close tells viewers the server is going away, closes them and stops.
func (s *Server) Close() {
	if s.Handler != nil {
		s.Handler.Close("server is shutting down")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.done
}
