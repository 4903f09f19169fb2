package relay

import (
	"errors"
	"image/color"
	"strings"
	"sync"
	"testing"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// busNet is the table and the subjects of a cluster of relays in one
// process: enough to see what relays do in a cluster without NATS
// (backend/natsbus tests the real one). A message reaches its subscribers
// at once, on the publisher's goroutine.
type busNet struct {
	mu     sync.Mutex
	rows   map[string]Entry                // guarded by mu
	subs   map[string]map[int]func([]byte) // by subject; guarded by mu
	nextID int                             // guarded by mu
	sent   map[string]int                  // messages published, by subject; guarded by mu
	away   bool                            // Lookup fails, as with NATS gone; guarded by mu
}

func newBusNet() *busNet {
	return &busNet{rows: map[string]Entry{}, subs: map[string]map[int]func([]byte){}, sent: map[string]int{}}
}

// bus is relay id's connection to the net, taking messages up to max bytes.
func (n *busNet) bus(id string, max int) *smallBus { return &smallBus{id: id, max: max, net: n} }

func subjectOf(kind Kind, name string) string { return string(kind) + "." + name }

// publish delivers data to the subject's subscribers and counts it.
func (n *busNet) publish(kind Kind, name string, data []byte) {
	subject := subjectOf(kind, name)
	n.mu.Lock()
	n.sent[subject]++
	fns := make([]func([]byte), 0, len(n.subs[subject]))
	for _, fn := range n.subs[subject] {
		fns = append(fns, fn)
	}
	n.mu.Unlock()
	for _, fn := range fns {
		fn(data)
	}
}

// subscribe calls fn with the subject's messages until cancel.
func (n *busNet) subscribe(kind Kind, name string, fn func([]byte)) func() {
	subject := subjectOf(kind, name)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextID++
	id := n.nextID
	if n.subs[subject] == nil {
		n.subs[subject] = map[int]func([]byte){}
	}
	n.subs[subject][id] = fn
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.subs[subject], id)
	}
}

// count is how many messages went on the subject.
func (n *busNet) count(kind Kind, name string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sent[subjectOf(kind, name)]
}

// listeners is how many subscribe to the subject now.
func (n *busNet) listeners(kind Kind, name string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.subs[subjectOf(kind, name)])
}

func (n *busNet) setRow(name string, e Entry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.rows[name] = e
}

func (n *busNet) row(name string) (Entry, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.rows[name]
	return e, ok
}

func (n *busNet) setAway(away bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.away = away
}

// smallBus is one relay's Bus on a busNet.
type smallBus struct {
	id  string
	max int
	net *busNet
}

func (b *smallBus) ID() string      { return b.id }
func (b *smallBus) MaxPayload() int { return b.max }
func (b *smallBus) Lookup(name string) (Entry, bool, error) {
	b.net.mu.Lock()
	defer b.net.mu.Unlock()
	if b.net.away {
		return Entry{}, false, errors.New("the bus is away")
	}
	e, ok := b.net.rows[name]
	return e, ok, nil
}

func (b *smallBus) Claim(name string, e Entry) error {
	b.net.mu.Lock()
	defer b.net.mu.Unlock()
	if cur, ok := b.net.rows[name]; ok && cur.Relay != b.id && cur.Hash != e.Hash {
		return ErrConflict
	}
	e.Relay, e.At = b.id, time.Now()
	b.net.rows[name] = e
	return nil
}

func (b *smallBus) Release(name string) {
	b.net.mu.Lock()
	defer b.net.mu.Unlock()
	if b.net.rows[name].Relay == b.id {
		delete(b.net.rows, name)
	}
}
func (b *smallBus) Publish(kind Kind, name string, data []byte) error {
	b.net.publish(kind, name, data)
	return nil
}
func (b *smallBus) Subscribe(kind Kind, name string, fn func([]byte)) (func(), error) {
	return b.net.subscribe(kind, name, fn), nil
}

func TestInAClusterAFrameOverTheBusLimitIsRefusedAtIngestWithTheReason(t *testing.T) {
	bus := newBusNet().bus("me", 2000)
	rl := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = bus })
	prod := produce(t, rl, "big", viewToken)
	jpg := picture(t, 256, 256, color.RGBA{200, 10, 10, 255})
	if len(jpg) < 2000 {
		jpg = append(jpg, make([]byte, 2000)...) // a JPEG with trailing bytes still decodes
	}
	sendFrame(t, prod, protocol.Header{Seq: 1, TS: time.Now().UnixMicro()}, jpg)
	_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, msg, err := prod.ReadMessage()
	for err == nil && !strings.Contains(string(msg), "max_payload") {
		_, msg, err = prod.ReadMessage()
	}
	if err != nil {
		t.Fatalf("no refusal naming max_payload: %v", err)
	}
	if st := rl.table.Lookup("big").Stats(); !strings.Contains(st.LastRefusal, "max_payload") || st.Received != 0 {
		t.Fatalf("stats %+v", st)
	}
	if e, ok, _ := bus.Lookup("big"); !ok || e.Relay != "me" {
		t.Fatalf("the producer's claim: %+v %v", e, ok)
	}
	_ = prod.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
}
