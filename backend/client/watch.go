package client

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"framecast/backend/protocol"
)

// Watcher reads a viewer's messages on a goroutine of its own, acking
// each frame as the viewer page does, until the connection ends: for
// tests and tools that only watch.
type Watcher struct {
	frames atomic.Int64
	bye    chan string // the bye's reason, if one comes; closed when the connection ends
	ended  atomic.Int64
}

// Watch starts watching v. The Watcher owns v's reading from now on.
func Watch(v *Viewer) *Watcher {
	w := &Watcher{bye: make(chan string, 1)}
	go func() {
		defer close(w.bye)
		for {
			m, err := v.Next(30 * time.Second)
			if err != nil {
				w.ended.Store(time.Now().UnixNano())
				return
			}
			switch {
			case m.Frame != nil:
				w.frames.Add(1)
				_ = v.Ack(m.Frame.Seq)
			case m.Event == "bye":
				var b protocol.Bye
				_ = json.Unmarshal(m.Raw, &b)
				select {
				case w.bye <- b.Reason:
				default:
				}
			}
		}
	}()
	return w
}

// Frames is how many frames have come.
func (w *Watcher) Frames() int64 { return w.frames.Load() }

// Bye gives the reason of the server's bye, if one comes, and is closed
// when the connection ends.
func (w *Watcher) Bye() <-chan string { return w.bye }

// Ended is when the connection ended; zero while it is open.
func (w *Watcher) Ended() time.Time {
	if n := w.ended.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Wait waits at most timeout for the connection to end and returns the
// reason of the bye before it ("" without one); ok is false when it had
// not ended by then.
func (w *Watcher) Wait(timeout time.Duration) (reason string, ok bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case r, open := <-w.bye:
			if !open {
				return reason, true
			}
			reason = r
		case <-deadline.C:
			return reason, false
		}
	}
}
