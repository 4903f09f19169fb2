package engine

import (
	"context"
	"fmt"
	"time"

	"framecast/backend/backoff"
	"framecast/backend/protocol"
)

// apply puts a change in force on the capture goroutine and then tells
// Update so. A replaced source is closed. A source that must be reopened
// for the new settings is closed first (a camera cannot be opened twice)
// and opened again with them; the error says why that failed, and the
// caller then treats the source as lost.
func (c *capturer) apply(ch change) error {
	e := c.e
	defer close(ch.applied)
	e.mu.Lock()
	e.settings = ch.settings
	e.swapChainLocked(ch.chain)
	e.mu.Unlock()
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
	e.log.Info("settings applied", "source", protocol.Redact(ch.settings.Source), "quality", ch.settings.Quality,
		"max", fmt.Sprintf("%dx%d", ch.settings.MaxWidth, ch.settings.MaxHeight), "fps", ch.settings.FPS,
		"enabled", ch.settings.Enabled, "reopened", ch.reopen && err == nil)
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
