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
	"sync"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/ingest"
	"framecast/backend/metrics"
	"framecast/backend/protocol"
	"framecast/backend/server"

	"github.com/gorilla/websocket"
)

// Config says how the relay runs.
type Config struct {
	Addr         string // listen address
	PublishToken string // producers must give it on /ingest
	MaxFrame     int    // largest picture accepted, bytes (0: ingest.DefaultMaxFrame)
	// LegacyIngest serves the old Node.js relay's root "/": its producer and
	// its pages connect there (see legacy.go), to the stream LegacyStream,
	// which exists from the start.
	LegacyIngest bool
	LegacyStream string
	// LegacyToken, when set, is needed on "/" as ?token= and is the legacy
	// stream's view token; empty, "/" is open as the old relay was and the
	// stream's /s/ pages take a random token (Relay.LegacyViewToken).
	LegacyToken string
	// AllowOrigins are foreign page origins allowed like same-host pages
	// (--allow-origin). Pages for the old relay need none: ?format=dataurl
	// and the root take any.
	AllowOrigins []string
	Limits       httpx.Limits // viewers and wrong tokens; zero: httpx.DefaultLimits()
	TLS          *tls.Config  // nil: plain HTTP and WebSocket
}

// Deps are the relay's collaborators.
type Deps struct {
	Assets  fs.FS // the viewer page
	Log     *slog.Logger
	Table   Table            // nil: streams kept in this process (NewMemTable)
	Metrics *metrics.Metrics // nil: no /metrics
	// Bus joins this relay to others (cluster.go); nil: on its own.
	Bus Bus
}

// Relay serves many named streams. Close stops it.
type Relay struct {
	cfg     Config
	metrics *metrics.Metrics // nil: none
	guard   *httpx.Guard     // shared by every stream and the ingest
	table   Table
	log     *slog.Logger
	legacy  *Stream         // the stream on "/", or nil
	bus     Bus             // nil: a relay on its own
	unknown *server.Handler // answers for stream names not in table (serveStream)
	// rootUpgrader upgrades the clients of "/"; see legacy.go.
	rootUpgrader websocket.Upgrader
	// handlers are the producers' and root clients' handlers, on hijacked
	// connections: Close waits for them.
	handlers  httpx.Tracker
	closeOnce sync.Once // Close may be called more than once
	ln        net.Listener
	http      *http.Server
	done      chan struct{}
}

// New listens on cfg.Addr and starts serving.
func New(cfg Config, d Deps) (*Relay, error) {
	if err := protocol.CheckToken(cfg.PublishToken); err != nil {
		return nil, fmt.Errorf("publish token: %w", err)
	}
	if cfg.MaxFrame <= 0 {
		cfg.MaxFrame = ingest.DefaultMaxFrame
	}
	if cfg.LegacyIngest && !protocol.ValidStreamName(cfg.LegacyStream) {
		return nil, fmt.Errorf("legacy stream %s: %s", protocol.Quote(cfg.LegacyStream), protocol.StreamNameRule)
	}
	if cfg.LegacyToken != "" {
		if err := protocol.CheckToken(cfg.LegacyToken); err != nil {
			return nil, fmt.Errorf("legacy token: %w", err)
		}
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	rl := &Relay{cfg: cfg, metrics: d.Metrics, guard: httpx.NewGuard(cfg.Limits), table: d.Table, log: log.With("component", "relay"), bus: d.Bus,
		rootUpgrader: newRootUpgrader(), done: make(chan struct{})}
	var onPanic func()
	if rl.metrics != nil {
		onPanic = rl.metrics.Panic
	}
	if rl.table == nil {
		rl.table = NewMemTable(func(name, token string) *Stream {
			return newStream(name, token, server.Deps{Assets: d.Assets, Log: log, Guard: rl.guard, Limits: cfg.Limits, OnPanic: onPanic,
				Origins: cfg.AllowOrigins, AnyOriginDataURL: true, MayStartLater: true}, d.Bus)
		})
	}
	rl.unknown = server.NewRefusingHandler(server.Deps{Assets: d.Assets, Log: log, Guard: rl.guard, Limits: cfg.Limits, OnPanic: onPanic,
		Origins: cfg.AllowOrigins, AnyOriginDataURL: true, MayStartLater: true})
	if cfg.LegacyIngest {
		token := cfg.LegacyToken
		if token == "" {
			token = protocol.NewToken()
		}
		rl.legacy = rl.table.Open(cfg.LegacyStream, token)
		rl.legacy.pin()
	}
	ln, err := httpx.Listen(cfg.Addr, cfg.TLS, cfg.Limits, rl.log)
	if err != nil {
		rl.table.Close()
		return nil, err
	}
	if rl.metrics != nil {
		rl.metrics.Watch(rl.metricStreams)
	}
	rl.ln = ln
	rl.http = httpx.NewHTTPServer(httpx.TrustProxies(httpx.AllowOrigins(httpx.WithHealth(rl.routes()), cfg.AllowOrigins), cfg.Limits.TrustedProxies),
		rl.log, onPanic)
	go func() {
		defer close(rl.done)
		if err := rl.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			rl.log.Error("serve", "err", err)
		}
	}()
	return rl, nil
}

// metricStreams lists the live streams for a metrics scrape.
func (rl *Relay) metricStreams() []metrics.Stream {
	streams := rl.table.Streams()
	out := make([]metrics.Stream, len(streams))
	for i, s := range streams {
		out[i] = metrics.Stream{Name: s.Name, Hub: s.hub, Stats: s.Stats, Relay: true}
	}
	return out
}

// LegacyViewToken is the view token of the legacy stream's /s/ pages, or
// "" without LegacyIngest.
func (rl *Relay) LegacyViewToken() string {
	if rl.legacy == nil {
		return ""
	}
	return rl.legacy.handler.Token()
}

// Addr is the address the relay listens on.
func (rl *Relay) Addr() net.Addr { return rl.ln.Addr() }

// Close disconnects producers and viewers, waits for their handlers and
// stops; calling it again does nothing more.
func (rl *Relay) Close() {
	rl.closeOnce.Do(func() {
		rl.table.Close()
		rl.handlers.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := rl.http.Shutdown(ctx); err != nil {
			_ = rl.http.Close()
		}
	})
	<-rl.done
}

func (rl *Relay) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ingest/{stream}", rl.serveIngest)
	server.StreamRoutes(mux, rl.serveStream)
	if rl.legacy != nil {
		mux.HandleFunc("GET /{$}", rl.serveRoot)
	}
	if rl.metrics != nil {
		// Behind the publish token: it names every stream.
		metrics := rl.metrics.Handler()
		mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
			if !rl.validPublishToken(r.URL.Query().Get("token")) {
				if rl.guard.Refused(w, r) {
					return
				}
				http.Error(w, "401 unauthorized: /metrics needs the publish token", http.StatusUnauthorized)
				return
			}
			metrics.ServeHTTP(w, r)
		})
	}
	return mux
}

// serveStream hands a viewer's request to its stream's handler. A name
// the relay does not have goes to rl.unknown, which answers every request
// as a stream answers a wrong token: without the token, a stream that
// exists and one that does not look the same.
func (rl *Relay) serveStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stream")
	h := rl.unknown
	if s := rl.table.Lookup(name); s != nil {
		h = s.handler
	} else if s := rl.remoteStream(name); s != nil {
		h = s.handler
	}
	http.StripPrefix("/s/"+name, h).ServeHTTP(w, r)
}

func (rl *Relay) validPublishToken(got string) bool {
	return protocol.EqualTokens(got, rl.cfg.PublishToken)
}

// serveIngest takes a producer on /ingest/{stream}?token=P&view=V. Every
// check comes before the upgrade, and the stream table is touched only once
// the producer's WebSocket is open: a refused request changes nothing.
func (rl *Relay) serveIngest(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stream")
	q := r.URL.Query()
	view := q.Get("view")
	switch {
	case !rl.validPublishToken(q.Get("token")):
		if rl.guard.Refused(w, r) {
			return
		}
		http.Error(w, "401 unauthorized: wrong or missing publish token", http.StatusUnauthorized)
		return
	case !protocol.ValidStreamName(name):
		http.Error(w, "400 bad request: "+protocol.StreamNameRule, http.StatusBadRequest)
		return
	case protocol.CheckToken(view) != nil:
		http.Error(w, "view: the stream's view token "+protocol.CheckToken(view).Error(), http.StatusBadRequest)
		return
	case !websocket.IsWebSocketUpgrade(r):
		http.Error(w, "this is a producer's WebSocket endpoint: connect with a WebSocket client", http.StatusBadRequest)
		return
	case r.Header.Get("Origin") != "":
		// Producers are programs: a page on another site must not publish
		// with a visitor's publish token.
		http.Error(w, "producers may not connect from a web page (Origin set)", http.StatusForbidden)
		return
	}
	if s := rl.table.Lookup(name); (s != nil && s.conflicts(view)) || rl.clusterConflict(name, view) {
		http.Error(w, fmt.Sprintf("409 conflict: stream %q has a live producer with another view token", name), http.StatusConflict)
		return
	}
	rl.ingest(w, r, name, view)
}

// remoteStream opens, for a viewer, a stream whose producer is on another
// relay of the cluster, with that stream's view token hash; nil when the
// cluster has no such stream (or there is no cluster).
func (rl *Relay) remoteStream(name string) *Stream {
	if rl.bus == nil || !protocol.ValidStreamName(name) {
		return nil
	}
	e, ok, err := rl.bus.Lookup(name)
	if err != nil || !ok {
		return nil
	}
	// A token nobody knows until the table's hash replaces it.
	s := rl.table.Open(name, protocol.NewToken())
	s.adoptHash(e.Hash)
	// Before the viewer's hello lists the renditions and codec, and
	// before its token is checked.
	s.adoptOffer(e.Ladder, e.Codecs, e.Steps)
	s.adoptLinks(linksNote{At: e.LinksAt, Links: e.Links, Held: e.LinksHeld})
	return s
}

// clusterConflict reports whether another relay of the cluster holds a
// live producer of the stream with another view token.
func (rl *Relay) clusterConflict(name, view string) bool {
	if rl.bus == nil {
		return false
	}
	e, ok, err := rl.bus.Lookup(name)
	return err == nil && ok && e.Relay != rl.bus.ID() && !protocol.MatchesHash(view, e.Hash)
}
