// Package station owns one running stream: its hub, engine, server and
// push to a relay. `framecast serve`, the desktop app and the tests build a
// stream only through it, and every change the operator makes (settings,
// link, port, HTTPS, push) is applied and saved here, under one lock, so
// the running stream and the saved settings never disagree.
//
// The server, push and metrics packages test themselves with a hub and an
// engine of their own: they sit below this package and cannot import it.
package station

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/backend/metrics"
	"framecast/backend/protocol"
	"framecast/backend/push"
	"framecast/backend/server"
)

// Deps are what a station is built from besides its settings.
type Deps struct {
	Assets fs.FS // the built frontend, for the viewer page
	Log    *slog.Logger
	// Name is the stream name viewers see; "" is "framecast".
	Name string
	// Listen is the host viewers connect to: "" for every interface.
	Listen string
	// Store, when set, keeps the settings: every change is saved to it.
	// Without one (serve) nothing is written.
	Store *config.Store
	// TLS gives the certificate while Settings.TLS is on.
	TLS func() (*tls.Config, error)
	// Loopback also serves a plain-HTTP port on 127.0.0.1 for the desktop
	// window's own preview (server.Config.Loopback).
	Loopback bool
	Origins  []string     // see server.Deps.Origins
	Limits   httpx.Limits // see server.Deps.Limits
	// Metrics, when set, counts the stream and is served at /metrics.
	Metrics *metrics.Metrics
	// CAFile is trusted for a wss:// relay instead of the system's CAs.
	CAFile string
	// Renditions are the smaller copies offered to viewers on slow links
	// (engine.Deps.Renditions); nil: none.
	Renditions []protocol.Rendition
	// Fallback starts anyway when the source will not open (the test
	// pattern instead) or the port is taken (a free one instead), and says
	// so in Notices: the desktop app must open. Without it (serve) either
	// is an error.
	Fallback bool
	// Notify tells the operator of a problem after start-up, such as
	// settings that could not be saved; nil: only logged.
	Notify func(msg string)
}

// Station is one running stream. Its methods may be called from any
// goroutine; changes are applied one at a time.
type Station struct {
	d   Deps
	log *slog.Logger
	hub *hub.Hub
	eng *engine.Engine

	// mu orders the operator's changes: each is applied to the running
	// stream and saved while it is held. Readers use the atomics below and
	// never wait for a change, which may take seconds (opening a source).
	mu       sync.Mutex
	settings config.Settings // what the operator chose, fallbacks aside; guarded by mu
	notices  []string        // guarded by mu

	srv    atomic.Pointer[server.Server]
	pusher atomic.Pointer[push.Pusher] // nil while not pushing
	// pushSettings is settings.Push, for readers.
	pushSettings atomic.Pointer[config.Push]
}

// New starts the stream, its server and, if the settings say so, the push.
// A failure closes whatever was opened.
func New(s config.Settings, d Deps) (*Station, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Name == "" {
		d.Name = "framecast"
	}
	st := &Station{d: d, log: d.Log.With("component", "station"), hub: hub.New()}
	newToken := s.Token == ""
	if newToken {
		s.Token = protocol.NewToken()
	}
	ed := engine.Deps{Hub: st.hub, Log: d.Log, Renditions: d.Renditions}
	if d.Metrics != nil {
		ed.Observer = d.Metrics
	}
	eng, err := engine.New(s.Stream, ed)
	if err != nil && d.Fallback {
		st.notices = append(st.notices, fmt.Sprintf("%v; showing the test pattern instead", err))
		fallback := s.Stream
		fallback.Source = "test"
		eng, err = engine.New(fallback, ed)
	}
	if err != nil {
		return nil, err
	}
	st.eng = eng
	srv, err := st.startServer(s.Port, s.Token, s.TLS)
	if err != nil && d.Fallback {
		var ferr error
		if srv, ferr = st.startServer(0, s.Token, s.TLS); ferr == nil {
			st.notices = append(st.notices, fmt.Sprintf("%v; using port %d instead", err, portOf(srv)))
			err = nil
		}
	}
	if err != nil {
		eng.Close()
		return nil, err
	}
	st.srv.Store(srv)
	if d.Metrics != nil {
		d.Metrics.Watch(func() []metrics.Stream {
			return []metrics.Stream{{Name: d.Name, Hub: st.hub, Stats: eng.Stats}}
		})
	}
	st.settings = s
	st.pushSettings.Store(&s.Push)
	if err := st.startPushLocked(s.Push); err != nil {
		if !d.Fallback {
			st.Close()
			return nil, fmt.Errorf("push: %w", err)
		}
		st.notices = append(st.notices, "sharing over the internet is off: "+err.Error())
	}
	if newToken {
		// Saved at once, so links survive a restart.
		st.saveLocked()
	}
	return st, nil
}

// startServer opens the stream's server on port (0: any free one).
func (st *Station) startServer(port int, token string, tlsOn bool) (*server.Server, error) {
	cfg := server.Config{Addr: net.JoinHostPort(st.d.Listen, strconv.Itoa(port)), Token: token, Name: st.d.Name, Loopback: st.d.Loopback}
	if tlsOn {
		if st.d.TLS == nil {
			return nil, errors.New("HTTPS: no certificate configured")
		}
		tc, err := st.d.TLS()
		if err != nil {
			return nil, fmt.Errorf("HTTPS: %w", err)
		}
		cfg.TLS = tc
	}
	d := server.Deps{Hub: st.hub, Stream: st.eng, Assets: st.d.Assets, Log: st.d.Log,
		Origins: st.d.Origins, Limits: st.d.Limits, H264: func() bool { return true }}
	if m := st.d.Metrics; m != nil {
		d.Metrics, d.OnPanic = m.Handler(), m.Panic
	}
	srv, err := server.New(cfg, d)
	if err != nil {
		return nil, listenError(port, err)
	}
	return srv, nil
}

// Close stops the push, the server and the stream, and waits for them.
func (st *Station) Close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if p := st.pusher.Swap(nil); p != nil {
		p.Close()
	}
	if srv := st.srv.Swap(nil); srv != nil {
		srv.Close()
	}
	st.eng.Close()
}

// Hub is the stream's fan-out, for readers (stats, viewer lists).
func (st *Station) Hub() *hub.Hub { return st.hub }

// Server is the server running now; it changes when the port or HTTPS does.
func (st *Station) Server() *server.Server { return st.srv.Load() }

// Settings are the stream settings in force.
func (st *Station) Settings() engine.Settings { return st.eng.Settings() }

// Stats are the stream's figures now.
func (st *Station) Stats() engine.Stats { return st.eng.Stats() }

// Saved returns the settings as the operator chose them: what is saved.
func (st *Station) Saved() config.Settings {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.settings
}

// Notices returns what the operator should know from start-up: a source or
// port that fell back, a push that could not start.
func (st *Station) Notices() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string{}, st.notices...)
}

// saveLocked writes st.settings to the store, if there is one; st.mu is
// held. A failed save is logged and told, and the stream is not touched.
func (st *Station) saveLocked() {
	if st.d.Store == nil {
		return
	}
	if err := st.d.Store.Save(st.settings); err != nil {
		st.log.Warn("save settings", "err", err)
		if st.d.Notify != nil {
			st.d.Notify("settings could not be saved: " + err.Error())
		}
	}
}

// Viewers lists the stream's viewers now.
func (st *Station) Viewers(now time.Time) []hub.Stats { return st.hub.Viewers(now) }

// portOf is the port srv listens on.
func portOf(srv *server.Server) int {
	if tcp, ok := srv.Addr().(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}

// Port is the viewers' port now.
func (st *Station) Port() int { return portOf(st.srv.Load()) }
