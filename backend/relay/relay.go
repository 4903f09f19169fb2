// Package relay is `framecast relay`: a server that producers push frames to
// and that any number of viewers watch, for sharing beyond the LAN. Each
// stream has its own name and view token; producers need the relay's
// publish token. It also accepts the old Python + Node.js setup's messages.
package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"framecast/backend/ingest"
	"framecast/backend/metrics"
	"framecast/backend/protocol"
	"framecast/backend/server"
)

// minViewToken is the shortest view token a producer may set.
const minViewToken = 16

// Config says how the relay runs.
type Config struct {
	Addr         string // listen address
	PublishToken string // producers must give it on /ingest
	MaxFrame     int    // largest picture accepted, bytes (0: ingest.DefaultMaxFrame)
	// LegacyIngest accepts the old setup's unauthenticated producer on "/"
	// into the stream LegacyStream, watched with LegacyViewToken.
	LegacyIngest    bool
	LegacyStream    string
	LegacyViewToken string
	Limits          server.Limits // viewers and wrong tokens; zero: server.DefaultLimits
	TLS             *tls.Config   // nil: plain HTTP and WebSocket
}

// Deps are the relay's collaborators.
type Deps struct {
	Assets  fs.FS // the viewer page
	Log     *slog.Logger
	Table   Table            // nil: streams kept in this process (NewMemTable)
	Metrics *metrics.Metrics // nil: no /metrics
}

// Relay serves many named streams. Close stops it.
type Relay struct {
	cfg     Config
	metrics *metrics.Metrics // nil: none
	guard   *server.Guard    // shared by every stream and the ingest
	table   Table
	log     *slog.Logger
	ln      net.Listener
	http    *http.Server
	done    chan struct{}
}

// New listens on cfg.Addr and starts serving.
func New(cfg Config, d Deps) (*Relay, error) {
	if len(cfg.PublishToken) < minViewToken {
		return nil, fmt.Errorf("publish token: must be at least %d characters", minViewToken)
	}
	if cfg.MaxFrame <= 0 {
		cfg.MaxFrame = ingest.DefaultMaxFrame
	}
	if cfg.LegacyIngest && (!protocol.ValidStreamName(cfg.LegacyStream) || len(cfg.LegacyViewToken) < minViewToken) {
		return nil, errors.New("legacy ingest needs a valid stream name and a view token of at least 16 characters")
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	rl := &Relay{cfg: cfg, metrics: d.Metrics, guard: server.NewGuard(cfg.Limits), table: d.Table, log: log.With("component", "relay"), done: make(chan struct{})}
	if rl.table == nil {
		rl.table = NewMemTable(func(name, token string) *Stream {
			s := newStream(name, token, server.Deps{Assets: d.Assets, Log: log, Guard: rl.guard, Limits: cfg.Limits})
			if rl.metrics != nil {
				rl.metrics.AddStream(name, s.hub, s)
			}
			return s
		})
	}
	ln, err := server.Listen(cfg.Addr, cfg.TLS)
	if err != nil {
		return nil, err
	}
	rl.ln = ln
	rl.http = server.NewHTTPServer(server.WithHealth(rl.routes()), rl.log)
	go func() {
		defer close(rl.done)
		if err := rl.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			rl.log.Error("serve", "err", err)
		}
	}()
	return rl, nil
}

// Addr is the address the relay listens on.
func (rl *Relay) Addr() net.Addr { return rl.ln.Addr() }

// Close disconnects producers and viewers and stops.
func (rl *Relay) Close() {
	rl.table.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := rl.http.Shutdown(ctx); err != nil {
		_ = rl.http.Close()
	}
	<-rl.done
}

func (rl *Relay) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ingest/{stream}", rl.serveIngest)
	mux.HandleFunc("GET /s/{stream}", func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		u.Path += "/"
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/s/{stream}/", rl.serveStream)
	// A viewer page asks healthz next to itself; no token, as at the root.
	mux.HandleFunc("GET /s/{stream}/healthz", func(w http.ResponseWriter, r *http.Request) {
		if rl.table.Lookup(r.PathValue("stream")) == nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if rl.cfg.LegacyIngest {
		mux.HandleFunc("GET /{$}", rl.serveLegacyIngest)
	}
	if rl.metrics != nil {
		// Behind the publish token: it names every stream.
		metrics := rl.metrics.Handler()
		mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
			if rl.guard.Blocked(w, r) {
				return
			}
			if !rl.validPublishToken(r.URL.Query().Get("token")) {
				rl.guard.Failed(r)
				http.Error(w, "401 unauthorized: /metrics needs the publish token", http.StatusUnauthorized)
				return
			}
			metrics.ServeHTTP(w, r)
		})
	}
	return mux
}

// serveStream hands a viewer's request to its stream's handler.
func (rl *Relay) serveStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stream")
	s := rl.table.Lookup(name)
	if s == nil {
		http.Error(w, fmt.Sprintf("no stream called %q on this relay (yet)", name), http.StatusNotFound)
		return
	}
	http.StripPrefix("/s/"+name, s.handler).ServeHTTP(w, r)
}

func (rl *Relay) validPublishToken(got string) bool {
	return server.EqualTokens(got, rl.cfg.PublishToken)
}

// serveIngest takes a producer on /ingest/{stream}?token=P&view=V.
func (rl *Relay) serveIngest(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stream")
	q := r.URL.Query()
	if rl.guard.Blocked(w, r) {
		return
	}
	switch {
	case !rl.validPublishToken(q.Get("token")):
		rl.guard.Failed(r)
		http.Error(w, "401 unauthorized: wrong or missing publish token", http.StatusUnauthorized)
		return
	case !protocol.ValidStreamName(name):
		http.Error(w, "stream names are 1-64 letters, digits, '_', '-' or '.'", http.StatusBadRequest)
		return
	case len(q.Get("view")) < minViewToken:
		http.Error(w, fmt.Sprintf("view: the stream's view token must be at least %d characters", minViewToken), http.StatusBadRequest)
		return
	}
	rl.ingest(w, r, name, q.Get("view"), false)
}

// serveLegacyIngest takes the old setup's producer, which has no token.
func (rl *Relay) serveLegacyIngest(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "this relay takes old-style producers here; viewers open /s/"+rl.cfg.LegacyStream+"/?token=…", http.StatusNotFound)
		return
	}
	rl.ingest(w, r, rl.cfg.LegacyStream, rl.cfg.LegacyViewToken, true)
}
