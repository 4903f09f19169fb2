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
	ln, err := httpx.Listen(cfg.Addr, cfg.TLS, d.Limits, log.With("component", "server"))
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
	s.http = httpx.NewHTTPServer(httpx.TrustProxies(httpx.AllowOrigins(httpx.WithHealth(s.Handler), d.Origins), d.Limits.TrustedProxies), s.log, d.OnPanic)
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
