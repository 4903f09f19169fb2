package relay

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"framecast/backend/ingest"

	"github.com/gorilla/websocket"
)

// Producer connection timing.
const (
	writeWait  = 10 * time.Second
	pongWait   = 30 * time.Second
	pingPeriod = 20 * time.Second
)

var producerUpgrader = websocket.Upgrader{
	ReadBufferSize:  64 << 10,
	WriteBufferSize: 4096,
	// Producers are programs, not pages: no browser Origin is expected, and
	// a page from another site must not publish with a visitor's token.
	CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
}

// publisher is one producer connection. Its goroutine alone reads from
// conn; writes (errors, pings, the closing frame) go through writeMu.
type publisher struct {
	conn    *websocket.Conn
	writeMu sync.Mutex

	mu sync.Mutex
	// kicked is why the relay ends the connection, once it does; after that
	// the read deadline stays in the past. Guarded by mu.
	kicked string
}

// kick ends the connection from the relay's side: the reader wakes at once.
func (p *publisher) kick(reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kicked == "" {
		p.kicked = reason
	}
	_ = p.conn.SetReadDeadline(time.Now())
}

// extend gives the producer pongWait more to say something, unless it has
// been kicked.
func (p *publisher) extend() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kicked == "" {
		_ = p.conn.SetReadDeadline(time.Now().Add(pongWait))
	}
}

func (p *publisher) kickReason() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kicked
}

func (p *publisher) write(kind int, data []byte) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	_ = p.conn.SetWriteDeadline(time.Now().Add(writeWait))
	return p.conn.WriteMessage(kind, data)
}

// refuse tells the producer why its message was not broadcast.
func (p *publisher) refuse(err error) error {
	msg, _ := json.Marshal(map[string]string{"type": "error", "error": err.Error()})
	return p.write(websocket.TextMessage, msg)
}

// ingest runs one producer until it goes away or is replaced.
func (rl *Relay) ingest(w http.ResponseWriter, r *http.Request, name, viewToken string, legacy bool) {
	// The stream exists before the producer hears back, so viewers can join
	// as soon as the producer is connected.
	s := rl.table.Publish(name, viewToken)
	conn, err := producerUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	p := &publisher{conn: conn}
	s.attach(p)
	log := rl.log.With("stream", name, "producer", r.RemoteAddr, "legacy", legacy)
	log.Info("producer connected")

	// base64 makes old-style pictures a third bigger.
	conn.SetReadLimit(int64(rl.cfg.MaxFrame)*4/3 + 64<<10)
	conn.SetPongHandler(func(string) error { p.extend(); return nil })
	stopPing := make(chan struct{})
	defer close(stopPing)
	go func() {
		t := time.NewTicker(pingPeriod)
		defer t.Stop()
		last := -1
		for {
			// Framecast producers hear how many watch, so they can stop
			// capturing while nobody does; old producers only ever send.
			changed := s.hub.Changed()
			if n := s.hub.Count(); !legacy && n != last {
				msg, _ := json.Marshal(map[string]any{"type": "viewers", "count": n})
				if p.write(websocket.TextMessage, msg) != nil {
					return
				}
				last = n
			}
			select {
			case <-stopPing:
				return
			case <-changed:
			case <-t.C:
				if p.write(websocket.PingMessage, nil) != nil {
					return
				}
			}
		}
	}()

	reason := "the producer went away"
	for {
		p.extend()
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			if kicked := p.kickReason(); kicked != "" {
				reason = kicked
				_ = conn.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseGoingAway, reason), time.Now().Add(time.Second))
			} else if errors.Is(err, websocket.ErrReadLimit) {
				log.Warn("producer message over the size limit", "limit", rl.cfg.MaxFrame)
			}
			break
		}
		var m ingest.Message
		if kind == websocket.BinaryMessage {
			m, err = ingest.ParseBinary(msg, rl.cfg.MaxFrame)
		} else {
			m, err = ingest.ParseText(msg, rl.cfg.MaxFrame)
		}
		if err == nil {
			err = s.publish(m)
		}
		if err != nil {
			if rl.metrics != nil {
				rl.metrics.IngestError()
			}
			log.Debug("producer message refused", "err", err)
			if p.refuse(err) != nil {
				break
			}
		}
	}
	s.detach(p, reason)
	log.Info("producer gone", "reason", reason)
}
