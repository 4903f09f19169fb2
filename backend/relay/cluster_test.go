package relay

import (
	"image/color"
	"strings"
	"sync"
	"testing"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// smallBus is a Bus of one relay that takes messages up to max bytes and
// keeps the table in memory: enough to see what a relay does in a cluster
// without NATS (backend/natsbus tests the real one).
type smallBus struct {
	max int

	mu   sync.Mutex
	rows map[string]Entry
}

func (b *smallBus) ID() string      { return "me" }
func (b *smallBus) MaxPayload() int { return b.max }
func (b *smallBus) Lookup(name string) (Entry, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.rows[name]
	return e, ok, nil
}

func (b *smallBus) Claim(name string, hash [32]byte, since time.Time, viewers int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rows[name] = Entry{Hash: hash, Relay: "me", Since: since, Viewers: viewers, At: time.Now()}
	return nil
}

func (b *smallBus) Release(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.rows, name)
}
func (b *smallBus) Publish(Kind, string, []byte) error { return nil }
func (b *smallBus) Subscribe(Kind, string, func([]byte)) (func(), error) {
	return func() {}, nil
}

func TestInAClusterAFrameOverTheBusLimitIsRefusedAtIngestWithTheReason(t *testing.T) {
	bus := &smallBus{max: 2000, rows: map[string]Entry{}}
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
