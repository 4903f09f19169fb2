package engine

import (
	"context"
	"errors"
	"time"

	"framecast/backend/backoff"
	"framecast/backend/protocol"
	"framecast/backend/source"

	"gocv.io/x/gocv"
)

// Retry timing for a lost source: the first retry is quick, later ones back
// off so a missing camera costs little.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 10 * time.Second
	// placeholderEvery is how often viewers get the NO SIGNAL frame while
	// the source is down, so late joiners see it too.
	placeholderEvery = time.Second
)

// capturer is the state owned by the capture goroutine alone.
type capturer struct {
	e   *Engine
	src source.Source
	cur grabbed // the Mat being read into
	// blank is where the NO SIGNAL frame is drawn; it is copied into a
	// pool Mat, so pool Mats are never reallocated here.
	blank gocv.Mat
	next  time.Time // when the fps cap lets the next frame out
	w, h  int       // size of the last frame read, for the placeholder
}

// capture reads the source while somebody watches and hands each frame
// the fps cap lets through to the processing goroutine.
func (e *Engine) capture(ctx context.Context, src source.Source) {
	defer e.wg.Done()
	c := &capturer{e: e, src: src, cur: grabbed{mat: <-e.slot.free}, blank: gocv.NewMat()}
	defer func() {
		c.blank.Close()
		if c.src != nil {
			if err := c.src.Close(); err != nil {
				e.log.Warn("close source", "err", err)
			}
		}
	}()
	for {
		hubChanged := e.hub.Changed()
		select {
		case <-ctx.Done():
			// Checked on every frame: Close must not wait for the
			// viewers to leave.
			return
		case ch := <-e.changes:
			e.apply(ch, &c.src)
			continue
		default:
		}
		var err error
		switch {
		case c.src == nil:
			e.setState(protocol.StateOff, "")
			err = e.waitEvent(ctx, &c.src, hubChanged)
		case e.hub.Count() == 0:
			e.setState(protocol.StateIdle, "")
			err = e.waitEvent(ctx, &c.src, hubChanged)
		default:
			err = c.step(ctx)
		}
		if errors.Is(err, errClosed) {
			return
		}
	}
}

// step reads one frame and, if the fps cap allows, hands it on.
func (c *capturer) step(ctx context.Context) error {
	m := &c.cur.mat
	err := c.src.Read(m)
	ts := time.Now()
	if err == nil && m.Empty() {
		err = source.ErrEnded
	}
	if err != nil {
		return c.recover(ctx, err)
	}
	c.e.captured.Tick(ts)
	c.e.nCaptured.Add(1)
	c.e.setState(protocol.StateLive, "")
	c.w, c.h = m.Cols(), m.Rows()
	if c.due(ts, c.e.Settings().FPS) {
		c.cur.ts, c.cur.placeholder = ts, false
		c.handOn()
	}
	return nil
}

// handOn leaves the current frame in the slot and takes a free Mat.
func (c *capturer) handOn() {
	if c.e.slot.put(c.cur) {
		c.e.skipped.Add(1)
	}
	c.cur = grabbed{mat: <-c.e.slot.free}
}

// due applies the fps cap: it reports whether a frame captured at ts may go
// out, letting a little jitter through so a 30 fps source meets a 30 fps cap.
func (c *capturer) due(ts time.Time, fps int) bool {
	interval := time.Second / time.Duration(fps)
	if !c.next.IsZero() && ts.Before(c.next.Add(-interval/4)) {
		return false
	}
	if c.next.IsZero() || ts.Sub(c.next) > interval {
		c.next = ts
	}
	c.next = c.next.Add(interval)
	return true
}

// recover handles a source that stopped: viewers get NO SIGNAL, and the
// source is reopened with backoff until it comes back, the operator picks
// another one, or the engine closes.
func (c *capturer) recover(ctx context.Context, cause error) error {
	e := c.e
	if err := c.src.Close(); err != nil {
		e.log.Warn("close lost source", "err", err)
	}
	c.src = nil
	s := e.Settings()
	e.log.Warn("source lost; retrying", "source", protocol.Redact(s.Source), "err", cause)
	e.setState(protocol.StateNoSignal, cause.Error())
	if c.w == 0 {
		c.w, c.h = s.sourceOptions().Width, s.sourceOptions().Height
	}
	retry := backoff.New(retryFirst, retryMax)
	for {
		retryAt := time.Now().Add(retry.Next())
		for time.Now().Before(retryAt) {
			if e.hub.Count() > 0 {
				drawNoSignal(&c.blank, c.w, c.h, s.Source, cause.Error())
				c.blank.CopyTo(&c.cur.mat)
				c.cur.ts, c.cur.placeholder = time.Now(), true
				c.handOn()
			}
			wait := min(placeholderEvery, time.Until(retryAt))
			select {
			case <-ctx.Done():
				return errClosed
			case ch := <-e.changes:
				e.apply(ch, &c.src)
				if c.src != nil || !ch.settings.Enabled {
					return nil // a new source, or the camera switched off
				}
				s = ch.settings
			case <-time.After(wait):
			}
		}
		src, err := e.openSource(s)
		if err == nil {
			e.log.Info("source back", "source", protocol.Redact(s.Source))
			c.src = src
			return nil
		}
		cause = err
		e.setState(protocol.StateNoSignal, err.Error())
	}
}
