// Package site runs the streams of one `framecast serve` or desktop app:
// a station each, all served on one port (server.Site routes them), with
// the runtime API for headless use. It owns the listener, so the port and
// HTTPS are changed here, and the list of streams, which it saves whole
// (Deps.Save) whenever a stream or the list changes.
package site

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"framecast/backend/config"
	"framecast/backend/httpx"
	"framecast/backend/links"
	"framecast/backend/metrics"
	"framecast/backend/protocol"
	"framecast/backend/record"
	"framecast/backend/server"
	"framecast/backend/station"
)

// MaxStreams bounds the streams of one site: each is a capture, a chain
// and encoders on this machine's cores.
const MaxStreams = 64

// Config is what a site runs and saves.
type Config struct {
	Port int
	TLS  bool
	// AdminToken opens the runtime API; "" : the API is off.
	AdminToken string
	Streams    []config.Camera
}

// Deps are what a site is built from besides its settings.
type Deps struct {
	Assets fs.FS
	Log    *slog.Logger
	// Listen is the host viewers connect to: "" for every interface.
	Listen string
	// TLS gives the certificate while Config.TLS is on.
	TLS func() (*tls.Config, error)
	// Loopback also serves a plain-HTTP port on 127.0.0.1 for the desktop
	// window's own preview (server.Config.Loopback).
	Loopback bool
	Origins  []string
	Limits   httpx.Limits
	// Metrics, when set, counts every stream and is served at /metrics.
	Metrics *metrics.Metrics
	CAFile  string
	// Relay is where a stream set to push: true pushes, under its name
	// (Relay.Relay and Relay.PublishToken); empty: nowhere.
	Relay config.Push
	// Fallback starts anyway when a source will not open or the port is
	// taken, and says so in Notices (the desktop app must open).
	Fallback bool
	// Save keeps the site's settings after every change; nil: nothing is
	// written (serve without a config file).
	Save func(Config) error
	// Notify tells the operator of a problem after start-up; nil: logged.
	Notify func(msg string)
	// Store keeps the recordings of the streams set to record
	// (config.Camera.Record); nil: none can be. Its owner closes it after
	// the site.
	Store *record.Store
	// Links are the per-customer links to the site's streams
	// (backend/links); nil: only the streams' own links open them. Its
	// owner closes it after the site.
	Links *links.Book
	// Audit is where Links' connections are kept, read by /api/audit;
	// nil: none kept.
	Audit *links.AuditLog
	// MaxFrame bounds one picture a producer sends to a stream whose
	// source is ingest; 0: ingest.DefaultMaxFrame.
	MaxFrame int
}

// Site is the running streams and their server.
type Site struct {
	d      Deps
	log    *slog.Logger
	router *server.Site

	// mu orders changes to the list, the port and HTTPS. A change to one
	// stream's settings is its station's, under the station's own lock.
	mu         sync.Mutex
	port       int  // what the operator chose, guarded by mu
	tlsOn      bool // guarded by mu
	adminToken string
	// links serves /api/links and /api/audit behind the admin token; nil:
	// the site keeps no links.
	links   http.Handler
	notices []string // guarded by mu

	stations atomic.Pointer[[]*station.Station] // in order; written under mu
	srv      atomic.Pointer[server.Server]

	// saveMu guards saved, each station's settings as last saved: a
	// station saves under its own lock, so this one is taken after any
	// other and nothing is called while it is held but Deps.Save.
	saveMu sync.Mutex
	saved  map[*station.Station]config.Camera
}

// New starts every stream and the server. A failure closes whatever was
// opened.
func New(c Config, d Deps) (*Site, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if len(c.Streams) == 0 {
		return nil, errors.New("no streams: give at least one")
	}
	if len(c.Streams) > MaxStreams {
		return nil, fmt.Errorf("%d streams: at most %d", len(c.Streams), MaxStreams)
	}
	if c.AdminToken != "" {
		if err := protocol.CheckToken(c.AdminToken); err != nil {
			return nil, fmt.Errorf("admin token: %w", err)
		}
	}
	s := &Site{d: d, log: d.Log.With("component", "site"), port: c.Port, tlsOn: c.TLS, adminToken: c.AdminToken,
		saved: make(map[*station.Station]config.Camera)}
	sd := server.Deps{Assets: d.Assets, Log: d.Log, Limits: d.Limits, Origins: d.Origins}
	if d.Metrics != nil {
		sd.OnPanic = d.Metrics.Panic
	}
	var admin http.Handler // nil: the API is off
	if c.AdminToken != "" {
		admin = &adminAPI{site: s}
	}
	if d.Links != nil {
		s.links = &links.API{Book: d.Links, Audit: d.Audit, URL: s.linkURL, Streams: s.names}
	}
	s.router = server.NewSite(sd, admin)
	var list []*station.Station
	fail := func(err error) (*Site, error) {
		for _, st := range list {
			st.Close()
		}
		s.router.Close()
		return nil, err
	}
	seen := map[string]bool{}
	for _, cam := range c.Streams {
		if seen[cam.Name] {
			return fail(fmt.Errorf("stream %s: a second stream of that name", protocol.Quote(cam.Name)))
		}
		seen[cam.Name] = true
		st, err := s.newStation(cam)
		if err != nil && len(c.Streams) > 1 {
			err = fmt.Errorf("stream %s: %w", protocol.Quote(cam.Name), err)
		}
		if err != nil {
			return fail(err)
		}
		list = append(list, st)
		s.notices = append(s.notices, st.Notices()...)
	}
	s.publish(list)
	srv, err := s.startServer(c.Port, c.TLS)
	if err != nil && d.Fallback {
		var ferr error
		if srv, ferr = s.startServer(0, c.TLS); ferr == nil {
			s.notices = append(s.notices, fmt.Sprintf("%v; using port %d instead", err, portOf(srv)))
			err = nil
		}
	}
	if err != nil {
		return fail(err)
	}
	s.srv.Store(srv)
	if d.Metrics != nil {
		d.Metrics.Watch(s.metricStreams)
	}
	if slices.ContainsFunc(c.Streams, func(c config.Camera) bool { return c.Token == "" }) {
		// New tokens: saved at once, so links survive a restart.
		s.saveList()
	}
	return s, nil
}

// newStation starts one stream of the site.
func (s *Site) newStation(cam config.Camera) (*station.Station, error) {
	sd := station.Deps{Assets: s.d.Assets, Log: s.d.Log, Guard: s.router.Guard(), Origins: s.d.Origins, Limits: s.d.Limits,
		CAFile: s.d.CAFile, Renditions: config.OfferedRenditions(cam.Renditions), Fallback: s.d.Fallback, Notify: s.d.Notify,
		Store: s.d.Store, Links: s.d.Links, MaxFrame: s.d.MaxFrame, URLs: s.serverURLs}
	if m := s.d.Metrics; m != nil {
		sd.Metrics, sd.OnPanic, sd.Observer = m.Handler(), m.Panic, m
	}
	var st *station.Station
	sd.Save = func(c config.Camera) error { return s.saveStream(st, c) }
	st, err := station.New(cam, sd)
	if err != nil {
		return nil, err
	}
	s.saveMu.Lock()
	s.saved[st] = st.Saved()
	s.saveMu.Unlock()
	return st, nil
}

// publish makes list the site's streams, for readers and for the router.
func (s *Site) publish(list []*station.Station) {
	s.stations.Store(&list)
	mounts := make([]server.Mount, len(list))
	for i, st := range list {
		mounts[i] = server.Mount{Name: st.Name(), Handler: st.Handler(), Ingest: st.IngestHandler()}
	}
	s.router.Set(mounts)
}

// startServer opens the site's server on port (0: any free one).
func (s *Site) startServer(port int, tlsOn bool) (*server.Server, error) {
	cfg := server.Config{Addr: net.JoinHostPort(s.d.Listen, strconv.Itoa(port)), Loopback: s.d.Loopback}
	if tlsOn {
		if s.d.TLS == nil {
			return nil, errors.New("HTTPS: no certificate configured")
		}
		tc, err := s.d.TLS()
		if err != nil {
			return nil, fmt.Errorf("HTTPS: %w", err)
		}
		cfg.TLS = tc
	}
	d := server.Deps{Log: s.d.Log, Origins: s.d.Origins, Limits: s.d.Limits}
	if m := s.d.Metrics; m != nil {
		d.OnPanic = m.Panic
	}
	srv, err := server.Serve(cfg, s.router, d)
	if err != nil {
		return nil, listenError(port, err)
	}
	return srv, nil
}

// Close stops every stream, then the server.
func (s *Site) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.Stations() {
		st.Close()
	}
	s.publish(nil)
	if srv := s.srv.Swap(nil); srv != nil {
		srv.Close()
	}
	s.router.Close()
}

// Stations lists the running streams, in order.
func (s *Site) Stations() []*station.Station {
	if p := s.stations.Load(); p != nil {
		return *p
	}
	return nil
}

// Station is the stream called name, or nil.
func (s *Site) Station(name string) *station.Station {
	for _, st := range s.Stations() {
		if st.Name() == name {
			return st
		}
	}
	return nil
}

// Server is the server running now; it changes when the port or HTTPS does.
func (s *Site) Server() *server.Server { return s.srv.Load() }

// Port is the viewers' port now.
func (s *Site) Port() int { return portOf(s.srv.Load()) }

// HTTPS reports whether viewers use HTTPS now.
func (s *Site) HTTPS() bool { return s.srv.Load().HTTPS() }

// Notices returns what the operator should know from start-up.
func (s *Site) Notices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.notices...)
}

// serverURLs are the links to path with token for each address the
// server can be reached on now; none before it starts.
func (s *Site) serverURLs(path, token string) []string {
	if srv := s.Server(); srv != nil {
		return srv.URLs(path, token)
	}
	return nil
}

// URLs are the viewer links of the stream called name, one for each
// address the server can be reached on: the first stream's at /, as a
// single stream's always were, the others' at /s/<name>/.
func (s *Site) URLs(name string) []string {
	list := s.Stations()
	for i, st := range list {
		if st.Name() != name {
			continue
		}
		if i == 0 && s.sharedToken(list) == "" {
			return s.Server().URLs("/", st.Handler().Token())
		}
		return s.Server().URLs("/s/"+name+"/", st.Handler().Token())
	}
	return nil
}

// LinkURLs are the viewer addresses of a customer's link, one for each
// address the server can be reached on: its stream's page when it opens
// one stream, the grid when it opens several or every stream.
func (s *Site) LinkURLs(l links.Link) []string {
	if l.Token == "" {
		return nil
	}
	if len(l.Streams) == 1 {
		return s.Server().URLs("/s/"+url.PathEscape(l.Streams[0])+"/", l.Token)
	}
	return s.Server().URLs("/", l.Token)
}

// linkURL is a customer link's first viewer address.
func (s *Site) linkURL(l links.Link) string {
	if urls := s.LinkURLs(l); len(urls) > 0 {
		return urls[0]
	}
	return ""
}

// names lists the streams' names, in order.
func (s *Site) names() []string {
	list := s.Stations()
	out := make([]string, len(list))
	for i, st := range list {
		out[i] = st.Name()
	}
	return out
}

// GridURLs are the links to the grid of every stream, when one token opens
// them all and there are several; nil otherwise.
func (s *Site) GridURLs() []string {
	list := s.Stations()
	token := s.sharedToken(list)
	if token == "" {
		return nil
	}
	return s.Server().URLs("/", token)
}

// sharedToken is the token every stream of list has, when there are
// several and they all have the same one; "" otherwise.
func (s *Site) sharedToken(list []*station.Station) string {
	if len(list) < 2 {
		return ""
	}
	token := list[0].Handler().Token()
	for _, st := range list[1:] {
		if st.Handler().Token() != token {
			return ""
		}
	}
	return token
}

// metricStreams lists the streams for a metrics scrape.
func (s *Site) metricStreams() []metrics.Stream {
	list := s.Stations()
	out := make([]metrics.Stream, len(list))
	for i, st := range list {
		out[i] = metrics.Stream{Name: st.Name(), Hub: st.Hub(), Stats: st.Stats}
	}
	return out
}

// portOf is the port srv listens on.
func portOf(srv *server.Server) int {
	if srv == nil {
		return 0
	}
	if tcp, ok := srv.Addr().(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}
