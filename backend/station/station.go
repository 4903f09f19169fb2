// Package station owns one running stream: its hub, engine, viewer
// endpoints (a server.Handler) and push to a relay. Every change the
// operator makes to the stream (settings, link, push) is applied and saved
// here, under one lock, so the running stream and the saved settings never
// disagree. Several stations share one port through backend/site, which
// owns the listener.
//
// The server, push and metrics packages test themselves with a hub and an
// engine of their own: they sit below this package and cannot import it.
package station

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/backend/ingest"
	"framecast/backend/links"
	"framecast/backend/protocol"
	"framecast/backend/push"
	"framecast/backend/record"
	"framecast/backend/server"
)

// Deps are what a station is built from besides its settings.
type Deps struct {
	Assets fs.FS // the built frontend, for the viewer page
	Log    *slog.Logger
	// Save, when set, keeps the settings: every change is given to it.
	// Without it nothing is written. It is called with the station's lock
	// held and must not call back into the station.
	Save func(config.Camera) error
	// Guard counts wrong tokens; the streams of one site share one.
	Guard   *httpx.Guard
	Origins []string     // see server.Deps.Origins
	Limits  httpx.Limits // see server.Deps.Limits
	// Metrics, when set, is served at /metrics behind the token.
	Metrics http.Handler
	// OnPanic counts an HTTP handler that panicked; nil: not counted.
	OnPanic func()
	// Observer counts the engine's frames (engine.Deps.Observer); nil: none.
	Observer engine.Observer
	// CAFile is trusted for a wss:// relay instead of the system's CAs.
	CAFile string
	// Renditions are the smaller copies offered to viewers on slow links
	// (engine.Deps.Renditions); nil: none.
	Renditions []protocol.Rendition
	// Fallback starts anyway when the source will not open (the test
	// pattern instead), and says so in Notices: the desktop app must open.
	// Without it (serve) it is an error.
	Fallback bool
	// Notify tells the operator of a problem after start-up, such as
	// settings that could not be saved; nil: only logged.
	Notify func(msg string)
	// Store keeps the recordings of the site's streams; nil: the stream
	// cannot be recorded (config.Camera.Record is refused).
	Store *record.Store
	// Links are the customer links that open the stream besides its own
	// token (server.Deps.Links); nil: none.
	Links *links.Book
	// MaxFrame bounds one picture a producer sends to /ingest/<name>;
	// 0: ingest.DefaultMaxFrame.
	MaxFrame int
	// URLs gives the links to path with token for each address the server
	// can be reached on (server.Server.URLs), for Ingest; nil: none known.
	URLs func(path, token string) []string
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
	settings config.Camera // what the operator chose, fallbacks aside; guarded by mu
	notices  []string      // guarded by mu

	handler atomic.Pointer[server.Handler] // replaced by Rename
	pusher  atomic.Pointer[push.Pusher]    // nil while not pushing
	// pushSettings is settings.Push, for readers.
	pushSettings atomic.Pointer[config.Push]
	// rec is the recorder while the stream is recorded; changed under mu.
	rec atomic.Pointer[recording]
	// feed takes the producer while the source is ingest; it outlives the
	// sources opened on it. publishToken is settings.PublishToken, for
	// its readers.
	feed         *ingest.Feed
	publishToken atomic.Pointer[string]
}

// New starts the stream, its viewer endpoints and, if the settings say so,
// the push. A failure closes whatever was opened. A camera without a token
// gets a new random one, saved at once.
func New(c config.Camera, d Deps) (*Station, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if !protocol.ValidStreamName(c.Name) {
		return nil, fmt.Errorf("stream name %s: %s", protocol.Quote(c.Name), protocol.StreamNameRule)
	}
	st := &Station{d: d, log: d.Log.With("component", "station", "stream", c.Name), hub: hub.New()}
	newToken := c.Token == ""
	if newToken {
		c.Token = protocol.NewToken()
	} else if err := protocol.CheckToken(c.Token); err != nil {
		return nil, fmt.Errorf("stream %s: token: %w", c.Name, err)
	}
	if c.PublishToken != "" {
		if err := protocol.CheckToken(c.PublishToken); err != nil {
			return nil, fmt.Errorf("stream %s: publish token: %w", c.Name, err)
		}
	} else if isIngest(c.Stream) {
		c.PublishToken = protocol.NewToken()
		newToken = true
	}
	st.publishToken.Store(&c.PublishToken)
	st.feed = ingest.NewFeed(ingest.FeedDeps{Token: st.loadPublishToken, Guard: d.Guard, Audience: audience{st.hub},
		MaxFrame: d.MaxFrame, Log: d.Log.With("stream", c.Name)})
	ed := engine.Deps{Hub: st.hub, Log: d.Log.With("stream", c.Name), Renditions: d.Renditions, Observer: d.Observer, Open: st.open}
	eng, err := engine.New(c.Stream, ed)
	if err != nil && d.Fallback {
		st.notices = append(st.notices, fmt.Sprintf("%s: %v; showing the test pattern instead", c.Name, err))
		fallback := c.Stream
		fallback.Source = "test"
		eng, err = engine.New(fallback, ed)
	}
	if err != nil {
		return nil, err
	}
	st.eng = eng
	st.handler.Store(st.newHandler(c.Name, c.Token))
	st.settings = c
	st.pushSettings.Store(&c.Push)
	if err := st.startPushLocked(c.Push); err != nil {
		if !d.Fallback {
			st.Close()
			return nil, fmt.Errorf("push: %w", err)
		}
		st.notices = append(st.notices, c.Name+": sharing over the internet is off: "+err.Error())
	}
	if c.Record {
		if err := st.startRecordLocked(); err != nil {
			if !d.Fallback {
				st.Close()
				return nil, fmt.Errorf("record: %w", err)
			}
			st.notices = append(st.notices, c.Name+": recording is off: "+err.Error())
		}
	}
	if newToken {
		// Saved at once, so links survive a restart.
		st.saveLocked()
	}
	return st, nil
}

// newHandler makes the stream's viewer endpoints under name.
func (st *Station) newHandler(name, token string) *server.Handler {
	return server.NewHandler(name, token, server.Deps{Hub: st.hub, Stream: st.eng, Assets: st.d.Assets, Log: st.d.Log,
		Guard: st.d.Guard, Origins: st.d.Origins, Limits: st.d.Limits, H264: st.eng.H264, Metrics: st.d.Metrics, OnPanic: st.d.OnPanic,
		Recordings: recordings{st}, Links: st.d.Links})
}

// Close stops the push, the server, the recorder and the stream, and
// waits for them.
func (st *Station) Close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if p := st.pusher.Swap(nil); p != nil {
		p.Close()
	}
	st.handler.Load().Close("server is shutting down")
	st.stopRecordLocked()
	// The producer first: the source waiting on it then wakes.
	st.feed.Close()
	st.eng.Close()
}

// Hub is the stream's fan-out, for readers (stats, viewer lists).
func (st *Station) Hub() *hub.Hub { return st.hub }

// Handler serves the stream's viewer endpoints; it changes when the stream
// is renamed.
func (st *Station) Handler() *server.Handler { return st.handler.Load() }

// Name is the stream's name now.
func (st *Station) Name() string { return st.handler.Load().Name() }

// Settings are the stream settings in force.
func (st *Station) Settings() engine.Settings { return st.eng.Settings() }

// Stats are the stream's figures now.
func (st *Station) Stats() engine.Stats { return st.eng.Stats() }

// Saved returns the settings as the operator chose them: what is saved.
func (st *Station) Saved() config.Camera {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.settings
}

// Notices returns what the operator should know from start-up: a source
// that fell back, a push that could not start.
func (st *Station) Notices() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string{}, st.notices...)
}

// saveLocked writes st.settings to the store, if there is one; st.mu is
// held. A failed save is logged and told, and the stream is not touched.
func (st *Station) saveLocked() {
	if st.d.Save == nil {
		return
	}
	if err := st.d.Save(st.settings); err != nil {
		st.log.Warn("save settings", "err", err)
		if st.d.Notify != nil {
			st.d.Notify("settings could not be saved: " + err.Error())
		}
	}
}

// Viewers lists the stream's viewers now.
func (st *Station) Viewers(now time.Time) []hub.Stats { return st.hub.Viewers(now) }
