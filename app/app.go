// Package app is Framecast's desktop app: it binds the running cameras (a
// backend/site of stations, one each) to a Wails window. It is the only
// package that imports Wails, and only run.go and runtime.go touch it. The
// window's controls act on the camera selected in its list; what they ask
// for is done by that camera's station, and the app turns it into what the
// window shows.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"framecast/backend/certs"
	"framecast/backend/config"
	"framecast/backend/links"
	"framecast/backend/record"
	"framecast/backend/site"
	"framecast/backend/source"
	"framecast/backend/station"
)

// statsEvery throttles the stats event: a few a second is enough for eyes.
const statsEvery = 500 * time.Millisecond

// Deps are what the app is built from.
type Deps struct {
	Store  config.Store
	Assets fs.FS // the built frontend, for the server's viewer page
	Log    *slog.Logger
	// Listen is the host the server listens on: "" for every interface, so
	// LAN viewers can reach it.
	Listen string
	// TLSDir keeps the self-signed certificate used when the person turns
	// HTTPS on.
	TLSDir string
	// FindCameras lists the machine's cameras; nil: source.Cameras.
	FindCameras func() ([]Device, error)
	// Recordings is where the cameras set to record are recorded, and for
	// how long, unless the settings say otherwise (config.Settings.Record);
	// Dir "": none can be.
	Recordings config.Recording
	// Links are the customer links (the Share panel's), given to the site
	// too; nil: there are none. Their owner closes them after the app.
	Links *links.Book
	// Audit is the customer links' audit, read by LinkAudit; nil: only
	// the connections open now are shown.
	Audit auditReader
}

// Device is a camera of this machine, as the source picker offers it.
type Device = source.Camera

// App binds the running cameras to the window. Bound methods are called by
// Wails on their own goroutines.
type App struct {
	site    *site.Site
	store   *record.Store // the recordings; nil: none
	links   *links.Book   // the customer links; nil: none
	audit   auditReader   // their audit; nil: none
	log     *slog.Logger
	find    func() ([]Device, error)
	notices []string // what the person should know from start-up

	// listMu orders the window's changes to the list of cameras, so that
	// two removals at once cannot both see a second camera.
	listMu sync.Mutex

	mu       sync.Mutex
	rt       Runtime // nil until startup; guarded by mu
	selected string  // the camera the controls act on, by name; guarded by mu
	stop     context.CancelFunc
	done     chan struct{} // closed when the stats loop has returned
	pushQR   qrCache
	linkQR   qrSet
}

// webviewOrigin is the Origin the window's own webview sends: its preview
// may open the stream and read why a connection failed.
const webviewOrigin = "wails://wails"

// New loads the settings and starts the stream and the server. A saved
// source that will not open falls back to the test pattern, and a saved port
// in use falls back to a free one; each says so in Notices.
func New(d Deps) (*App, error) {
	a := &App{log: d.Log, find: d.FindCameras, links: d.Links, audit: d.Audit}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("component", "app")
	if a.find == nil {
		a.find = source.Cameras
	}
	settings, warnings := load(d.Store, a.find)
	for _, w := range warnings {
		a.log.Warn("settings", "warning", w)
	}
	rec := settings.Record
	if rec.Dir == "" {
		rec = d.Recordings
	}
	var recordings *record.Store
	if rec.Dir != "" {
		var err error
		recordings, err = record.Open(record.Options{Dir: rec.Dir, Keep: rec.Keep, MaxSize: rec.MaxSize, Log: a.log})
		if err != nil {
			// The app opens all the same: the Record switch says why.
			warnings = append(warnings, fmt.Sprintf("recordings folder %s: %v; recording is off", rec.Dir, err))
			recordings = nil
		}
	}
	store := d.Store
	sc := site.Config{Port: settings.Port, TLS: settings.TLS, Streams: settings.Cameras}
	st, err := site.New(sc, site.Deps{
		Assets: d.Assets, Log: d.Log, Listen: d.Listen,
		TLS:      certs.TLS{Auto: true, Dir: d.TLSDir}.Config,
		Loopback: true, Origins: []string{webviewOrigin}, Fallback: true,
		Save: func(c site.Config) error {
			return store.Save(config.Settings{Port: c.Port, TLS: c.TLS, Cameras: c.Streams, Record: settings.Record})
		},
		Notify: func(msg string) { a.emit(EventNotice, msg) },
		Store:  recordings,
		Links:  d.Links,
	})
	if err != nil {
		if recordings != nil {
			_ = recordings.Close()
		}
		return nil, err
	}
	a.store = recordings
	a.site = st
	a.selected = st.Stations()[0].Name()
	a.notices = append(warnings, st.Notices()...)
	return a, nil
}

// startup is called once the window exists. Unexported, like close, so
// Wails does not offer it to the window as a bound method.
func (a *App) startup(rt Runtime) {
	ctx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	a.rt, a.stop, a.done = rt, cancel, make(chan struct{})
	a.mu.Unlock()
	go a.statsLoop(ctx)
}

// windowGone is called once the window is gone, and its runtime with it:
// what would reach the window from now on (an event, a Raise) does nothing.
func (a *App) windowGone() {
	a.mu.Lock()
	a.rt = nil
	a.mu.Unlock()
}

// close stops the stats loop and the stream.
func (a *App) close() {
	a.mu.Lock()
	stop, done := a.stop, a.done
	a.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	a.site.Close()
	if a.store != nil {
		_ = a.store.Close() // after the cameras stopped recording
	}
}

// cur is the camera the window's controls act on: the selected one, or the
// first when that one has just gone.
func (a *App) cur() *station.Station {
	a.mu.Lock()
	name := a.selected
	a.mu.Unlock()
	if st := a.site.Station(name); st != nil {
		return st
	}
	return a.site.Stations()[0]
}

// emit sends an event to the window, when there is one.
func (a *App) emit(event string, data any) {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt != nil {
		rt.Emit(event, data)
	}
}

// Notices returns what the person should know from start-up: settings that
// were reset, a source or port that fell back.
func (a *App) Notices() ([]string, error) { return append([]string{}, a.notices...), nil }
