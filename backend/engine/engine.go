package engine

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/hub"
	"framecast/backend/meter"
	"framecast/backend/protocol"
	"framecast/backend/source"
	"framecast/backend/vision"
)

// OpenFunc opens a source; tests replace it with a fake.
type OpenFunc func(source.Spec, source.Options) (source.Source, error)

// Observer is told what each frame cost, for metrics. Its methods are
// called on the processing goroutine and must not block.
type Observer interface {
	ObserveEncode(time.Duration)
	ObserveProcess(processor string, d time.Duration)
}

// Deps are the engine's collaborators.
type Deps struct {
	Hub      *hub.Hub
	Log      *slog.Logger
	Open     OpenFunc // nil: source.Open
	Observer Observer // nil: nobody watches the costs
	// Renditions are the smaller copies offered beside the stream's own
	// size (protocol.DefaultRenditions(), say); each is encoded only while
	// some viewer takes it. nil: none.
	Renditions []protocol.Rendition
}

// Engine runs one stream: a capture goroutine reads the source and leaves
// the newest frame in a slot; a processing goroutine takes it, runs the
// chain, scales, encodes once and publishes. Its methods are safe for
// concurrent use. The capture goroutine alone owns the open source; Mats
// move between the two through the slot and are never shared.
type Engine struct {
	hub  *hub.Hub
	log  *slog.Logger
	open OpenFunc
	slot *slot
	// renditions are the smaller copies offered (Deps.Renditions, then
	// SetRenditions); read with lower.
	renditions atomic.Pointer[[]protocol.Rendition]

	// updateMu serialises Update so sources are opened one at a time.
	updateMu sync.Mutex
	// changes carries settings to the capture goroutine; it is never closed.
	changes chan change

	mu       sync.Mutex
	settings checked         // the settings in force; guarded by mu
	stats    Stats           // guarded by mu
	status   protocol.Status // the last status given to the hub; guarded by mu
	chain    *vision.Chain   // set for the processing goroutine to take up; guarded by mu
	// frameW×frameH is the size of the frames going out, kept while
	// nobody watches (0 before the first); offered is the ladder viewers
	// were last told of (hub.RenditionsChanged). Both guarded by mu.
	frameW, frameH int
	offered        []protocol.Rendition
	// costs are the processing goroutine's smoothed times a frame, and
	// skipCause why the last frame was skipped. Both guarded by mu.
	costs     stageCosts
	skipCause string

	captured, output meter.Meter
	skipped          atomic.Uint64 // frames replaced in the slot before processing
	// skips counts skipped frames over a short window (Stats.SkipCause).
	skips meter.Meter
	// jpegBytes and h264Bytes count the bytes encoded in each codec
	// (Stats.JPEGBitrate, H264Bitrate).
	jpegBytes, h264Bytes meter.Meter
	// stage is the stage the processing goroutine is in (stageWaiting…)
	// and busyCPU the process's CPU time when it took its frame (ns):
	// written by it, read by the capture goroutine when it skips a frame.
	stage     atomic.Int32
	busyCPU   atomic.Int64
	nCaptured atomic.Uint64 // frames read from sources, ever
	nEncoded  atomic.Uint64 // frames encoded and published, ever
	observer  Observer

	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{} // closed when both goroutines have returned
}

// New validates s, opens its source and starts both goroutines. A source
// that cannot be opened is an error, and nothing is left running; but a
// network stream that cannot be opened starts lost: NO SIGNAL, retried.
func New(s Settings, d Deps) (*Engine, error) {
	set, err := s.check()
	if err != nil {
		return nil, err
	}
	e := &Engine{hub: d.Hub, log: d.Log, open: d.Open, observer: d.Observer,
		changes: make(chan change), settings: set, done: make(chan struct{})}
	lower := slices.Clone(d.Renditions)
	e.renditions.Store(&lower)
	if e.open == nil {
		e.open = source.Open
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.log = e.log.With("component", "engine")
	e.offered = e.ladderLocked() // nobody else has e yet
	chain, err := vision.NewChain(set.Process)
	if err != nil {
		return nil, err
	}
	var src source.Source
	var lost error // why a network source did not open: it is retried as one lost
	if set.Enabled {
		if src, err = e.openSource(set); err != nil {
			if !set.retriedFromStart() {
				chain.Close()
				return nil, err
			}
			src, lost = nil, err
		}
	}
	e.slot = newSlot()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.wg.Add(2)
	go e.capture(ctx, src, lost)
	go e.processing(ctx, chain)
	go func() {
		e.wg.Wait()
		e.slot.close()
		close(e.done)
	}()
	return e, nil
}

// Close stops both goroutines, releases the source and every Mat, and
// waits for all of it.
func (e *Engine) Close() {
	e.cancel()
	<-e.done
}

// Settings returns the settings in force.
func (e *Engine) Settings() Settings { return e.inForce().Settings }

// inForce returns the settings in force, in the engine's own form.
func (e *Engine) inForce() checked {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings
}

// openSource opens the source s names, with the hints s gives it.
func (e *Engine) openSource(s checked) (source.Source, error) {
	return e.open(s.spec, s.opt)
}

// setState records the stream state and tells viewers when it changes. It
// is called for every captured frame, so an unchanged state costs one lock.
func (e *Engine) setState(state, reason string) {
	e.mu.Lock()
	st := protocol.Status{Type: "status", State: state, Source: e.settings.Source, Reason: reason}
	if st == e.status {
		e.mu.Unlock()
		return
	}
	e.status = st
	e.stats.State = state
	e.stats.Error = reason
	if !sending(state) {
		// Nothing goes out now: no size may be claimed for it.
		e.stats.Width, e.stats.Height, e.stats.FrameBytes = 0, 0, 0
	}
	e.mu.Unlock()
	e.hub.SetStatus(st)
}

// sending reports whether frames go out in a state: live ones, or the NO
// SIGNAL picture.
func sending(state string) bool {
	return state == protocol.StateLive || state == protocol.StateNoSignal
}

// errClosed ends the capture goroutine.
var errClosed = errors.New("closed")
