package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"framecast/backend/backoff"
	"framecast/backend/protocol"
	"framecast/backend/source"
	"framecast/backend/vision"
)

// A change of settings goes one way. Update checks the settings (check
// reads the source text, once), prepare works out what the change needs
// and opens the new source it names, and put puts the settings in force:
// Update itself when the source stays as it is, or the capture goroutine,
// which owns the source, when it does not (apply).

// change is a new set of settings, with the source already opened when the
// settings need a new one.
type change struct {
	settings checked
	src      source.Source // nil: keep the current source (or none, when disabled)
	chain    *vision.Chain // nil: keep the current chain
	// reopen asks for the current source to be opened again with the new
	// settings' options (a test pattern or camera at another size or rate).
	reopen bool
	// inPlace: the source stays as it is, so the capture goroutine need not
	// see the change (quality, size, fps and the chain are read each frame).
	inPlace bool
	// applied is closed by the capture goroutine once the change is in
	// force, so Update returns only then.
	applied chan struct{}
}

// Update applies new settings without dropping viewers, and returns once they
// are in force. When they name a new source, or switch the camera back on,
// the source is opened first: if that fails the error says why and the old
// settings stay in force. When the source takes its size or rate from the
// settings (the test pattern, a camera), a new size or fps cap reopens it
// with them: scaling only shrinks, so a source opened smaller would
// otherwise stay smaller. A reopen that fails is a lost source: NO SIGNAL,
// retried.
func (e *Engine) Update(s Settings) error {
	next, err := s.check()
	if err != nil {
		return err
	}
	e.updateMu.Lock()
	defer e.updateMu.Unlock()
	c, err := e.prepare(next)
	if err != nil {
		return err
	}
	if c.inPlace {
		// Quality, size, fps and the chain are taken up on the next frame.
		e.put(c)
		e.logApplied(next, false)
		return nil
	}
	select {
	case e.changes <- c:
		// Taken by the capture goroutine, which applies it before anything else.
		<-c.applied
		return nil
	case <-e.done:
		c.discard()
		return errors.New("engine is closed")
	}
}

// prepare makes the change that puts next in force: a new chain if the
// chain is another, a new source opened if next names one or switches the
// camera back on (if that fails, nothing is left open), or a reopen asked
// for. updateMu is held, so the settings in force are those it replaces.
func (e *Engine) prepare(next checked) (change, error) {
	old := e.inForce()
	c := change{settings: next, applied: make(chan struct{})}
	if !sameChain(next.Process, old.Process) {
		chain, err := vision.NewChain(next.Process)
		if err != nil {
			return change{}, err
		}
		c.chain = chain
	}
	switch sameSource := next.Enabled == old.Enabled && next.Source == old.Source; {
	case sameSource:
		c.reopen = next.Enabled && source.Reopen(next.spec, old.opt, next.opt)
		c.inPlace = !c.reopen
	case next.Enabled:
		src, err := e.openSource(next)
		if err != nil {
			c.discard()
			return change{}, err
		}
		c.src = src
	}
	return c, nil
}

// discard closes what a change that is not applied opened.
func (c change) discard() {
	if c.src != nil {
		_ = c.src.Close()
	}
	if c.chain != nil {
		c.chain.Close()
	}
}

// put puts c's settings in force, and its chain for the processing
// goroutine to take up (a chain set before and not yet taken up is
// closed): the one place settings are put in force.
func (e *Engine) put(c change) {
	e.mu.Lock()
	recoded := c.settings.Codec != e.settings.Codec
	e.settings = c.settings
	if c.chain != nil {
		if e.chain != nil {
			e.chain.Close()
		}
		e.chain = c.chain
	}
	e.mu.Unlock()
	if recoded {
		// Viewers (and a push's relay) follow the codecs the stream makes
		// now as they follow a new ladder: a new hello, and the frames of
		// the codec each gets (H264).
		e.hub.RenditionsChanged()
	}
}

// logApplied says which settings are now in force; reopened, that the
// source was opened again for them.
func (e *Engine) logApplied(s checked, reopened bool) {
	e.log.Info("settings applied", "source", protocol.Redact(s.Source), "quality", s.Quality,
		"max", fmt.Sprintf("%dx%d", s.MaxWidth, s.MaxHeight), "fps", s.FPS, "enabled", s.Enabled,
		"process", vision.FormatChain(s.Process), "codec", s.Codec, "bitrate", s.Bitrate, "reopened", reopened)
}

// apply puts a change in force on the capture goroutine and then tells
// Update so. A replaced source is closed. A source that must be reopened
// for the new settings is closed first (a camera cannot be opened twice)
// and opened again with them; the error says why that failed, and the
// caller then treats the source as lost.
func (c *capturer) apply(ch change) error {
	e := c.e
	defer close(ch.applied)
	e.put(ch)
	var err error
	switch {
	case ch.src != nil || !ch.settings.Enabled:
		c.closeSource("close source")
		c.src = ch.src
		// Another source, or none: the old one's failures are forgotten.
		c.outage = outage{log: e.log}
		c.retry = backoff.NewDefault()
	case ch.reopen && c.src != nil:
		c.closeSource("close source to reopen it")
		c.src, err = e.openSource(ch.settings)
		if err != nil {
			c.src = nil
		}
		// The fps cap starts afresh with the reopened source's frames.
		c.next = time.Time{}
	}
	e.logApplied(ch.settings, ch.reopen && err == nil)
	return err
}

// applyOrRecover applies a change and, when the source it reopened would
// not open, retries it as a lost one.
func (c *capturer) applyOrRecover(ctx context.Context, ch change) error {
	if err := c.apply(ch); err != nil {
		return c.recover(ctx, err)
	}
	return nil
}

// waitEvent blocks until a change is applied, the viewer count changes
// (hubChanged, taken before the caller looked at the count) or ctx ends.
func (c *capturer) waitEvent(ctx context.Context, hubChanged <-chan struct{}) error {
	select {
	case <-ctx.Done():
		return errClosed
	case ch := <-c.e.changes:
		return c.applyOrRecover(ctx, ch)
	case <-hubChanged:
	}
	return nil
}
