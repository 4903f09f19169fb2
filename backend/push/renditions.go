package push

import (
	"encoding/json"
	"fmt"
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

// offer tells the relay of ladder; an empty one says the stream has one
// size now. Only the push goroutine writes to conn.
func offer(conn *websocket.Conn, ladder []protocol.Rendition) error {
	b, err := json.Marshal(protocol.NewRenditionsOffer(ladder))
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
}

func newExtras(h *hub.Hub, addr string) *extras {
	return &extras{hub: h, addr: addr, wake: make(chan struct{}, 1), subs: map[string]*extra{}}
}

// want subscribes to exactly the renditions named, at most
// protocol.MaxRenditions of them.
func (x *extras) want(names []string) {
	keep := map[string]bool{}
	for i, name := range names {
		if i >= protocol.MaxRenditions || name == "" {
			break
		}
		keep[name] = true
		if x.subs[name] == nil {
			e := &extra{sub: x.hub.Subscribe("push", x.addr, name), stop: make(chan struct{}), done: make(chan struct{})}
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

// frames takes the waiting frame of every rendition.
func (x *extras) frames() []*hub.Frame {
	var out []*hub.Frame
	for _, e := range x.subs {
		if f := e.sub.TakeFrame(); f != nil {
			out = append(out, f)
		}
	}
	return out
}

func (x *extras) closeAll() { x.want(nil) }
