// Package server is Framecast's HTTP side: the viewer page, the WebSocket and
// MJPEG streams, snapshots and state, all behind the stream's access token.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
)

// Stream is what the server needs from the engine.
type Stream interface {
	Stats() engine.Stats
}

// Config says where and how to serve.
type Config struct {
	Addr  string // listen address, e.g. ":8188" or "127.0.0.1:0"
	Token string // access token for every endpoint but /healthz
	Name  string // stream name shown to viewers
}

// Deps are the server's collaborators.
type Deps struct {
	Hub    *hub.Hub
	Stream Stream
	Assets fs.FS // the built frontend: viewer.html and assets/
	Log    *slog.Logger
}

// Server serves one stream. Close stops it and disconnects every viewer.
type Server struct {
	cfg    Config
	hub    *hub.Hub
	stream Stream
	assets fs.FS
	log    *slog.Logger
	ln     net.Listener
	http   *http.Server

	tokenMu sync.RWMutex
	token   string // guarded by tokenMu

	// viewers are the open WebSocket viewers, so Close and SetToken can end
	// them: http.Server.Shutdown does not close hijacked connections.
	viewersMu sync.Mutex
	viewers   map[*wsViewer]struct{} // guarded by viewersMu

	ctx    context.Context // ends every streaming response when cancelled
	cancel context.CancelFunc
	done   chan struct{} // closed when Serve has returned
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
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg, hub: d.Hub, stream: d.Stream, assets: d.Assets, log: log.With("component", "server"),
		ln: ln, token: cfg.Token, viewers: make(map[*wsViewer]struct{}),
		ctx: ctx, cancel: cancel, done: make(chan struct{}),
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	go s.reportDrops(ctx)
	return s, nil
}

// Addr is the address the server listens on, with the real port.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close tells viewers the server is going away, closes them and stops.
func (s *Server) Close() {
	s.closeViewers("server is shutting down")
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.done
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /ws", s.requireToken(http.HandlerFunc(s.serveWS)))
	mux.Handle("GET /stream.mjpg", s.requireToken(http.HandlerFunc(s.serveMJPEG)))
	mux.Handle("GET /snapshot.jpg", s.requireToken(http.HandlerFunc(s.serveSnapshot)))
	mux.Handle("GET /api/state", s.requireToken(http.HandlerFunc(s.serveState)))
	mux.Handle("GET /assets/", s.serveAssets())
	mux.Handle("GET /{$}", s.requireToken(http.HandlerFunc(s.servePage)))
	return allowDesktopApp(mux)
}
