package engine

import (
	"context"
	"errors"
	"time"

	"framecast/backend/hub"
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

// loop is the state owned by the capture goroutine alone.
type loop struct {
	e             *Engine
	src           source.Source
	frame, scaled gocv.Mat
	blank         gocv.Mat // the NO SIGNAL frame
	seq           uint64
	next          time.Time // when the fps cap lets the next frame out
	w, h          int       // size of the last frame sent, for the placeholder
}

func (e *Engine) run(ctx context.Context, src source.Source) {
	defer close(e.done)
	l := &loop{e: e, src: src, frame: gocv.NewMat(), scaled: gocv.NewMat(), blank: gocv.NewMat()}
	defer l.close()
	for {
		hubChanged := e.hub.Changed()
		select {
		case c := <-e.changes:
			e.apply(c, &l.src)
			continue
		default:
		}
		var err error
		switch {
		case l.src == nil:
			e.setState(protocol.StateOff, "")
			err = e.waitEvent(ctx, &l.src, hubChanged)
		case e.hub.Count() == 0:
			e.setState(protocol.StateIdle, "")
			err = e.waitEvent(ctx, &l.src, hubChanged)
		default:
			err = l.step(ctx)
		}
		if errors.Is(err, errClosed) {
			return
		}
	}
}

func (l *loop) close() {
	if l.src != nil {
		if err := l.src.Close(); err != nil {
			l.e.log.Warn("close source", "err", err)
		}
	}
	l.frame.Close()
	l.scaled.Close()
	l.blank.Close()
}

// step reads, processes and publishes one frame.
func (l *loop) step(ctx context.Context) error {
	err := l.src.Read(&l.frame)
	ts := time.Now()
	if err == nil && l.frame.Empty() {
		err = source.ErrEnded
	}
	if err != nil {
		return l.recover(ctx, err)
	}
	l.e.captured.Tick(ts)
	s := l.e.Settings()
	if !l.due(ts, s.FPS) {
		return nil
	}
	if l.e.process != nil {
		if err := l.e.process(&l.frame); err != nil {
			l.e.log.Warn("process frame", "err", err)
			return nil
		}
	}
	out := scaleInto(l.frame, &l.scaled, s.MaxWidth, s.MaxHeight)
	if err := l.publish(out, ts, s.Quality); err != nil {
		l.e.log.Error("publish frame", "err", err)
		return nil
	}
	l.e.setState(protocol.StateLive, "")
	return nil
}

// due applies the fps cap: it reports whether a frame captured at ts may go
// out, letting a little jitter through so a 30 fps source meets a 30 fps cap.
func (l *loop) due(ts time.Time, fps int) bool {
	interval := time.Second / time.Duration(fps)
	if !l.next.IsZero() && ts.Before(l.next.Add(-interval/4)) {
		return false
	}
	if l.next.IsZero() || ts.Sub(l.next) > interval {
		l.next = ts
	}
	l.next = l.next.Add(interval)
	return true
}

// publish encodes m once and hands it to every viewer.
func (l *loop) publish(m gocv.Mat, ts time.Time, quality int) error {
	start := time.Now()
	jpeg, err := encodeJPEG(m, quality)
	if err != nil {
		return err
	}
	encoded := time.Now()
	l.seq++
	f, err := hub.NewFrame(protocol.Header{Seq: l.seq, TS: ts.UnixMicro(), W: m.Cols(), H: m.Rows()}, jpeg)
	if err != nil {
		return err
	}
	l.e.hub.Publish(f)
	l.w, l.h = m.Cols(), m.Rows()
	l.e.recordFrame(encoded, l.w, l.h, len(jpeg), encoded.Sub(start))
	return nil
}

// recover handles a source that stopped: viewers get NO SIGNAL, and the
// source is reopened with backoff until it comes back, the operator picks
// another one, or the engine closes.
func (l *loop) recover(ctx context.Context, cause error) error {
	e := l.e
	if err := l.src.Close(); err != nil {
		e.log.Warn("close lost source", "err", err)
	}
	l.src = nil
	s := e.Settings()
	e.log.Warn("source lost; retrying", "source", s.Source, "err", cause)
	e.setState(protocol.StateNoSignal, cause.Error())
	if l.w == 0 {
		l.w, l.h = s.sourceOptions().Width, s.sourceOptions().Height
	}
	backoff := retryFirst
	for {
		retryAt := time.Now().Add(backoff)
		for time.Now().Before(retryAt) {
			if e.hub.Count() > 0 {
				drawNoSignal(&l.blank, l.w, l.h, s.Source, cause.Error())
				if err := l.publish(l.blank, time.Now(), s.Quality); err != nil {
					e.log.Error("publish placeholder", "err", err)
				}
			}
			wait := min(placeholderEvery, time.Until(retryAt))
			select {
			case <-ctx.Done():
				return errClosed
			case c := <-e.changes:
				e.apply(c, &l.src)
				if l.src != nil || !c.settings.Enabled {
					return nil // a new source, or the camera switched off
				}
				s = c.settings
			case <-time.After(wait):
			}
		}
		src, err := e.openSource(s)
		if err == nil {
			e.log.Info("source back", "source", s.Source)
			l.src = src
			return nil
		}
		cause = err
		e.setState(protocol.StateNoSignal, err.Error())
		backoff = min(backoff*2, retryMax)
	}
}
