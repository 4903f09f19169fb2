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

// Retry timing for a lost source: the reopens are spaced by
// backoff.NewDefault (quick first, then backing off so a missing camera
// costs little).
const (
	// stableAfter is how long a reopened source must deliver frames before
	// it counts as back, and the backoff starts again from its first step. Opening
	// is not enough: a network file that cannot be played opens, then fails
	// its first read, and must not be retried twice a second for ever.
	stableAfter = 5 * time.Second
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
	// retry spaces the reopens of a failing source. It carries over from
	// one loss to the next until the source has been stable for
	// stableAfter, or another source is chosen.
	retry *backoff.Backoff
	// outage is the failing stretch under way, for its log lines.
	outage outage
	// reopenedAt is when the source was last reopened after a loss.
	reopenedAt time.Time
}

// capture reads the source while somebody watches and hands each frame
// the fps cap lets through to the processing goroutine. With lost, the
// source did not open and is retried first, as one lost.
func (e *Engine) capture(ctx context.Context, src source.Source, lost error) {
	defer e.wg.Done()
	c := &capturer{e: e, src: src, cur: grabbed{mat: <-e.slot.free}, blank: gocv.NewMat(),
		retry: backoff.NewDefault(), outage: outage{log: e.log}}
	defer func() {
		c.blank.Close()
		c.closeSource("close source")
	}()
	if lost != nil && errors.Is(c.recover(ctx, lost), errClosed) {
		return
	}
	for {
		hubChanged := e.hub.Changed()
		var err error
		select {
		case <-ctx.Done():
			// Checked on every frame: Close must not wait for the
			// viewers to leave.
			return
		case ch := <-e.changes:
			err = c.applyOrRecover(ctx, ch)
		default:
			switch {
			case c.src == nil:
				e.setState(protocol.StateOff, "")
				err = c.waitEvent(ctx, hubChanged)
			case !e.hub.Busy():
				e.setState(protocol.StateIdle, "")
				err = c.waitEvent(ctx, hubChanged)
			default:
				err = c.step(ctx)
			}
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
	if c.outage.active() && ts.Sub(c.reopenedAt) >= stableAfter {
		c.outage.end(c.e.Settings().Source, c.reopenedAt)
		c.retry.Reset()
	}
	c.w, c.h = m.Cols(), m.Rows()
	if c.due(ts, c.e.Settings().FPS) {
		c.cur.ts, c.cur.placeholder = ts, false
		c.cur.dets, c.cur.meta = nil, nil
		if a, ok := c.src.(source.Annotated); ok {
			c.cur.dets, c.cur.meta = a.Detections(), a.Meta()
		}
		c.handOn()
	}
	return nil
}

// handOn leaves the current frame in the slot and takes a free Mat.
func (c *capturer) handOn() {
	if c.e.slot.put(c.cur) {
		c.e.skipped.Add(1)
		c.e.noteSkip(time.Now())
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
// another one, or the engine closes. The backoff is not started afresh
// here: a source that fails again soon after each reopen waits longer each
// time.
func (c *capturer) recover(ctx context.Context, cause error) error {
	e := c.e
	// A source that says when it may be read again (a producer that
	// connects) is reopened then, not after the backoff.
	var resumed <-chan struct{}
	if r, ok := c.src.(source.Resumer); ok {
		resumed = r.Resumed()
	}
	c.closeSource("close lost source")
	s := e.inForce()
	c.outage.fail(s.Source, cause, time.Now())
	e.setState(protocol.StateNoSignal, cause.Error())
	if c.w == 0 {
		c.w, c.h = s.opt.Width, s.opt.Height
	}
	for {
		retryAt := time.Now().Add(c.retry.Next())
		for time.Now().Before(retryAt) {
			if e.hub.Busy() {
				drawNoSignal(&c.blank, c.w, c.h, protocol.PublicSource(s.Source), protocol.PublicText(cause.Error()))
				c.blank.CopyTo(&c.cur.mat)
				c.cur.ts, c.cur.placeholder = time.Now(), true
				c.cur.dets, c.cur.meta = nil, nil
				c.handOn()
			}
			wait := min(placeholderEvery, time.Until(retryAt))
			select {
			case <-ctx.Done():
				return errClosed
			case ch := <-e.changes:
				// With no source open there is nothing to reopen, so
				// this cannot fail.
				_ = c.apply(ch)
				if c.src != nil || !ch.settings.Enabled {
					return nil // a new source, or the camera switched off
				}
				s = ch.settings
			case <-resumed:
				retryAt, resumed = time.Now(), nil
			case <-time.After(wait):
			}
		}
		src, err := e.openSource(s)
		if err == nil {
			c.src, c.reopenedAt = src, time.Now()
			return nil
		}
		cause, resumed = err, nil
		c.outage.fail(s.Source, err, time.Now())
		e.setState(protocol.StateNoSignal, err.Error())
	}
}

// closeSource closes the open source, if any; what is logged on failure
// starts with what.
func (c *capturer) closeSource(what string) {
	if c.src == nil {
		return
	}
	if err := c.src.Close(); err != nil {
		c.e.log.Warn(what, "err", err)
	}
	c.src = nil
}
