package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"framecast/backend/hub"
	"framecast/backend/meter"
	"framecast/backend/protocol"
	"framecast/backend/source"

	"gocv.io/x/gocv"
)

// OpenFunc opens a source; tests replace it with a fake.
type OpenFunc func(source.Spec, source.Options) (source.Source, error)

// ProcessFunc is the processing hook run on every frame before scaling. It
// may change the Mat in place. Nil means no processing.
type ProcessFunc func(*gocv.Mat) error

// Deps are the engine's collaborators.
type Deps struct {
	Hub     *hub.Hub
	Log     *slog.Logger
	Open    OpenFunc    // nil: source.Open
	Process ProcessFunc // nil: identity
}

// change is a new set of settings, with the source already opened when the
// settings need a new one.
type change struct {
	settings Settings
	src      source.Source // nil: keep the current source (or none, when disabled)
}

// Engine runs one stream's capture loop. Its methods are safe for concurrent
// use; the loop goroutine alone owns the open source and the Mats.
type Engine struct {
	hub     *hub.Hub
	log     *slog.Logger
	open    OpenFunc
	process ProcessFunc

	// updateMu serialises Update so sources are opened one at a time.
	updateMu sync.Mutex
	// changes carries settings to the loop; it is never closed.
	changes chan change

	mu       sync.Mutex
	settings Settings // the settings in force; guarded by mu
	stats    Stats    // guarded by mu

	captured, output meter.Meter

	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has returned
}

// New validates s, opens its source and starts the loop. A source that cannot
// be opened is an error; nothing is left running.
func New(s Settings, d Deps) (*Engine, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{hub: d.Hub, log: d.Log, open: d.Open, process: d.Process,
		changes: make(chan change), settings: s, done: make(chan struct{})}
	if e.open == nil {
		e.open = source.Open
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.log = e.log.With("component", "engine")
	var src source.Source
	if s.Enabled {
		var err error
		if src, err = e.openSource(s); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go e.run(ctx, src)
	return e, nil
}

// Close stops the loop, releases the source and waits for both.
func (e *Engine) Close() {
	e.cancel()
	<-e.done
}

// Settings returns the settings in force.
func (e *Engine) Settings() Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings
}

// Update applies new settings without dropping viewers. When they name a new
// source, or switch the camera back on, the source is opened first: if that
// fails the error says why and the old settings stay in force.
func (e *Engine) Update(s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	e.updateMu.Lock()
	defer e.updateMu.Unlock()
	old := e.Settings()
	if s.Enabled == old.Enabled && s.Source == old.Source {
		// Quality, size and fps are read by the loop on every frame.
		e.mu.Lock()
		e.settings = s
		e.mu.Unlock()
		e.log.Info("settings applied", "quality", s.Quality, "max", fmt.Sprintf("%dx%d", s.MaxWidth, s.MaxHeight), "fps", s.FPS)
		return nil
	}
	c := change{settings: s}
	if s.Enabled && (!old.Enabled || s.Source != old.Source) {
		src, err := e.openSource(s)
		if err != nil {
			return err
		}
		c.src = src
	}
	select {
	case e.changes <- c:
		return nil
	case <-e.done:
		if c.src != nil {
			_ = c.src.Close()
		}
		return errors.New("engine is closed")
	}
}

func (e *Engine) openSource(s Settings) (source.Source, error) {
	spec, err := source.ParseSpec(s.Source)
	if err != nil {
		return nil, err
	}
	return e.open(spec, s.sourceOptions())
}

// setState records the stream state and tells viewers when it changes.
func (e *Engine) setState(state, reason string) {
	e.mu.Lock()
	e.stats.State = state
	e.stats.Error = reason
	src := e.settings.Source
	e.mu.Unlock()
	e.hub.SetStatus(protocol.Status{State: state, Source: src, Reason: reason})
}

// errClosed ends the loop.
var errClosed = errors.New("closed")

// apply puts a change in force inside the loop, closing the replaced source.
func (e *Engine) apply(c change, src *source.Source) {
	e.mu.Lock()
	e.settings = c.settings
	e.mu.Unlock()
	if c.src != nil || !c.settings.Enabled {
		if *src != nil {
			if err := (*src).Close(); err != nil {
				e.log.Warn("close source", "err", err)
			}
		}
		*src = c.src
	}
	e.log.Info("settings applied", "source", c.settings.Source, "quality", c.settings.Quality,
		"max", fmt.Sprintf("%dx%d", c.settings.MaxWidth, c.settings.MaxHeight), "fps", c.settings.FPS, "enabled", c.settings.Enabled)
}

// waitEvent blocks until a change is applied, the viewer count changes
// (hubChanged, taken before the caller looked at the count) or ctx ends.
func (e *Engine) waitEvent(ctx context.Context, src *source.Source, hubChanged <-chan struct{}) error {
	select {
	case <-ctx.Done():
		return errClosed
	case c := <-e.changes:
		e.apply(c, src)
	case <-hubChanged:
	}
	return nil
}
