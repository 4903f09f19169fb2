// Package app is Framecast's desktop app: it adapts the backend (engine,
// hub, server, settings) to a Wails window. It is the only package that
// imports Wails, and only run.go and runtime.go touch it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/push"
	"framecast/backend/server"
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
	// FindCameras lists the machine's cameras; nil: (*App).Cameras.
	FindCameras func() ([]Camera, error)
}

// App holds the running stream and the window's state. Bound methods are
// called by Wails on its own goroutines; mu guards everything below it.
type App struct {
	store  config.Store
	assets fs.FS
	log    *slog.Logger
	listen string
	tlsDir string
	hub    *hub.Hub
	eng    *engine.Engine

	mu       sync.Mutex
	settings config.Settings
	srv      *server.Server
	pusher   *push.Pusher // nil while not pushing to a relay
	pushQR   [2]string    // the public link and its QR code, made once
	rt       Runtime      // nil until Startup
	notices  []string     // what the person should know from start-up
	stop     context.CancelFunc
	done     chan struct{} // closed when the stats loop has returned
}

// New loads the settings and starts the stream and the server. A saved
// source that will not open falls back to the test pattern, and a saved port
// in use falls back to a free one; each says so in Notices.
func New(d Deps) (*App, error) {
	a := &App{store: d.Store, assets: d.Assets, log: d.Log, listen: d.Listen, tlsDir: d.TLSDir, hub: hub.New()}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("component", "app")
	_, statErr := os.Stat(d.Store.Path)
	firstRun := errors.Is(statErr, fs.ErrNotExist)
	settings, warnings := d.Store.Load()
	a.notices = append(a.notices, warnings...)
	for _, w := range warnings {
		a.log.Warn("settings", "warning", w)
	}
	if firstRun {
		// The first time, show the camera if there is one.
		find := d.FindCameras
		if find == nil {
			find = a.Cameras
		}
		if cams, err := find(); err == nil && len(cams) > 0 {
			settings.Stream.Source = cams[0].Spec
		}
	}
	eng, err := engine.New(settings.Stream, engine.Deps{Hub: a.hub, Log: d.Log})
	if err != nil {
		fallback := settings.Stream
		fallback.Source = "test"
		a.notices = append(a.notices, fmt.Sprintf("%v; showing the test pattern instead", err))
		if eng, err = engine.New(fallback, engine.Deps{Hub: a.hub, Log: d.Log}); err != nil {
			return nil, err
		}
	}
	a.eng = eng
	newToken := settings.Token == ""
	if newToken {
		settings.Token = server.NewToken()
	}
	srv, err := a.startServer(settings.Port, settings.Token, settings.TLS)
	if err != nil {
		free, ferr := a.startServer(0, settings.Token, settings.TLS)
		if ferr != nil {
			eng.Close()
			return nil, err
		}
		srv = free
		a.notices = append(a.notices, fmt.Sprintf("%v; using port %d instead", err, portOf(free)))
	}
	a.srv = srv
	// a.settings is what the person chose, fallbacks aside: it is what gets
	// saved. A new token is saved at once so links survive a restart.
	a.settings = settings
	if err := a.startPushLocked(settings.Push); err != nil {
		a.notices = append(a.notices, "sharing over the internet is off: "+err.Error())
	}
	if newToken {
		if err := a.store.Save(settings); err != nil {
			a.log.Warn("save settings", "err", err)
		}
	}
	return a, nil
}

// startServer opens the stream's server. Viewers use its main port (HTTPS
// when tlsOn); the window's preview uses its plain loopback port.
func (a *App) startServer(port int, token string, tlsOn bool) (*server.Server, error) {
	cfg := server.Config{Addr: fmt.Sprintf("%s:%d", a.listen, port), Token: token, Name: "framecast", Loopback: true}
	if tlsOn {
		tc, err := server.TLS{Auto: true, Dir: a.tlsDir}.Config()
		if err != nil {
			return nil, fmt.Errorf("HTTPS: %w", err)
		}
		cfg.TLS = tc
	}
	return server.New(cfg, server.Deps{Hub: a.hub, Stream: a.eng, Assets: a.assets, Log: a.log, Origins: []string{webviewOrigin}})
}

// webviewOrigin is the Origin the window's own webview sends: its preview
// may open the stream and read why a connection failed.
const webviewOrigin = "wails://wails"

// startup is called once the window exists. Unexported, like close, so
// Wails does not offer it to the window as a bound method.
func (a *App) startup(rt Runtime) {
	ctx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	a.rt, a.stop, a.done = rt, cancel, make(chan struct{})
	a.mu.Unlock()
	go a.statsLoop(ctx)
}

// close stops the stats loop, the server and the stream.
func (a *App) close() {
	a.mu.Lock()
	stop, done, srv := a.stop, a.done, a.srv
	a.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	a.mu.Lock()
	if a.pusher != nil {
		a.pusher.Close()
	}
	a.mu.Unlock()
	srv.Close()
	a.eng.Close()
}

// saveLocked persists a.settings; a.mu is held. A failed save is logged and
// told to the window, and the running stream is not touched.
func (a *App) saveLocked() {
	if err := a.store.Save(a.settings); err != nil {
		a.log.Warn("save settings", "err", err)
		if a.rt != nil {
			a.rt.Emit("app:notice", "settings could not be saved: "+err.Error())
		}
	}
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
