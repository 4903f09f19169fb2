package push

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// ladder is the local stream's renditions as the relay is told of them:
// nil for one size.
func (p *Pusher) ladder() []protocol.Rendition {
	if p.cfg.Renditions == nil {
		return nil
	}
	ladder := p.cfg.Renditions()
	if len(ladder) < 2 {
		return nil
	}
	return ladder
}

// codecs is what the local stream encodes besides JPEG, as the relay is
// told of it: nil for JPEG alone.
func (p *Pusher) codecs() []string {
	if p.cfg.Codecs == nil {
		return nil
	}
	return p.cfg.Codecs()
}

// offering is what the relay is told of the local stream: its ladder,
// codecs besides JPEG, and whether it makes lower bitrate steps of them.
type offering struct {
	ladder []protocol.Rendition
	codecs []string
	steps  bool
}

func (p *Pusher) offering() offering {
	codecs := p.codecs()
	return offering{ladder: p.ladder(), codecs: codecs, steps: p.cfg.Steps && len(codecs) > 0}
}

func (o offering) equal(other offering) bool {
	return slices.Equal(o.ladder, other.ladder) && slices.Equal(o.codecs, other.codecs) && o.steps == other.steps
}

// none reports whether there is nothing to tell a relay that takes the own
// size in JPEG alone, as relays from before offers did.
func (o offering) none() bool { return o.ladder == nil && o.codecs == nil }

// offer tells the relay of o; an empty ladder says the stream has one size
// now. Only the push goroutine writes to conn.
func offer(conn *websocket.Conn, o offering) error {
	m := protocol.NewRenditionsOffer(o.ladder, o.codecs)
	if o.steps {
		m = m.WithSteps()
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	_ = conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// extras are the push's subscribers to smaller renditions the relay asked
// for; each one's wake is forwarded to one channel, so the push waits on
// one channel for all of them. Only the push goroutine uses it.
type extras struct {
	hub  *hub.Hub
	addr string
	wake chan struct{}
	subs map[string]*extra
}

type extra struct {
	sub  *hub.Subscriber
	stop chan struct{}
	done chan struct{}
	// For a key of an inter-frame codec: the frames others refer to that
	// its subscriber had skipped when last looked at (RefDrops), and
	// whether the relay's decoders need a keyframe before anything else
	// (at the start, after such a skip). Only the push goroutine uses them.
	drops   uint64
	waitKey bool
}

func newExtras(h *hub.Hub, addr string) *extras {
	return &extras{hub: h, addr: addr, wake: make(chan struct{}, 1), subs: map[string]*extra{}}
}

// maxExtras bounds the hub keys the relay may ask for besides the own
// size in JPEG: every rendition in every codec.
const maxExtras = 4 * (protocol.MaxRenditions + 1)

// want subscribes to exactly the hub keys named (renditions, in a codec),
// at most maxExtras of them; "" (the own size in JPEG) is the session's.
func (x *extras) want(names []string) {
	keep := map[string]bool{}
	for _, name := range names {
		if len(keep) >= maxExtras {
			break
		}
		if name == "" {
			continue
		}
		keep[name] = true
		if x.subs[name] == nil {
			e := &extra{sub: x.hub.Subscribe("push", x.addr, name), stop: make(chan struct{}), done: make(chan struct{}),
				waitKey: hub.IsInterKey(name)}
			if e.waitKey {
				x.hub.RequestKey(name)
			}
			go e.forward(x.wake)
			x.subs[name] = e
		}
	}
	for name, e := range x.subs {
		if !keep[name] {
			e.close(x.hub)
			delete(x.subs, name)
		}
	}
}

func (e *extra) forward(wake chan<- struct{}) {
	defer close(e.done)
	for {
		select {
		case <-e.stop:
			return
		case <-e.sub.Wake():
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}
}

func (e *extra) close(h *hub.Hub) {
	close(e.stop)
	<-e.done
	h.Unsubscribe(e.sub)
}

// frames takes the waiting frame of every rendition. A frame of an
// inter-frame codec is sent only where the relay's decoders can follow
// it: from a keyframe on, and after a frame others refer to was skipped
// here (the link to the relay was slower than the stream) from the next
// keyframe, which is then asked for. Skipping a frame none refers to
// (hub.Frame.Disposable) costs nothing.
func (x *extras) frames() []*hub.Frame {
	var out []*hub.Frame
	for key, e := range x.subs {
		f := e.sub.TakeFrame()
		if f == nil {
			continue
		}
		if hub.IsInterKey(key) {
			if d := e.sub.RefDrops(); d != e.drops {
				e.drops, e.waitKey = d, true
			}
			switch {
			case f.Keyframe():
				e.waitKey = false
			case e.waitKey:
				x.hub.RequestKey(key)
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

func (x *extras) closeAll() { x.want(nil) }
