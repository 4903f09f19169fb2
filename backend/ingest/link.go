package ingest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// maxRefusal bounds the text of an error message to a producer.
const maxRefusal = 512

var producerUpgrader = websocket.Upgrader{
	ReadBufferSize:  64 << 10,
	WriteBufferSize: 4096,
	// Producers are programs, not pages: no browser Origin is expected, and
	// a page from another site must not publish with a visitor's token.
	CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
}

// Upgrade makes a producer's request, every check passed, its WebSocket
// connection; on an error the upgrader has replied.
func Upgrade(w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	return producerUpgrader.Upgrade(w, r, nil)
}

// Link is a producer's connection as the server it sends to holds it (a
// Feed's producer, a relay's publisher). One goroutine alone reads from
// Conn; every write goes through the Link. The zero Link waits for its
// connection (Attach), so that a producer can be kicked during its
// upgrade.
type Link struct {
	writeMu sync.Mutex

	mu sync.Mutex
	// conn is nil until Attach; set once. Guarded by mu.
	conn *websocket.Conn
	// wait is how long the producer may stay silent. Guarded by mu.
	wait time.Duration
	// kicked is why the server ends the connection, once it does; after
	// that the read deadline stays in the past. Guarded by mu.
	kicked string
}

// NewLink is conn's Link; the producer may stay silent for wait.
func NewLink(conn *websocket.Conn, wait time.Duration) *Link {
	return &Link{conn: conn, wait: wait}
}

// Attach gives the Link its connection; it reports false when the Link
// was kicked before (the connection is the caller's to close then).
func (l *Link) Attach(conn *websocket.Conn, wait time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conn, l.wait = conn, wait
	return l.kicked == ""
}

// Conn is the connection, for its reader.
func (l *Link) Conn() *websocket.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn
}

// Kick ends the connection from the server's side: the reader wakes at
// once. The first reason stays.
func (l *Link) Kick(reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kicked == "" {
		l.kicked = reason
	}
	if l.conn != nil {
		_ = l.conn.SetReadDeadline(time.Now())
	}
}

// Extend gives the producer its wait more to say something, unless it has
// been kicked.
func (l *Link) Extend() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kicked == "" && l.conn != nil {
		_ = l.conn.SetReadDeadline(time.Now().Add(l.wait))
	}
}

// Kicked is why the server ended the connection; "" while it has not.
func (l *Link) Kicked() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.kicked
}

// Write writes one message, within protocol.WriteWait.
func (l *Link) Write(kind int, data []byte) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	_ = l.conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	return l.conn.WriteMessage(kind, data)
}

// Ping pings the producer, whose pong extends its wait.
func (l *Link) Ping() error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	return l.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(protocol.WriteWait))
}

// Send writes one control message to the producer.
func (l *Link) Send(m protocol.RelayMessage) error {
	msg, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("control message %T: %w", m, err)
	}
	return l.Write(websocket.TextMessage, msg)
}

// Refuse tells the producer why a message of its was not taken.
func (l *Link) Refuse(err error) error {
	return l.Send(protocol.NewRefusal(protocol.Truncate(err.Error(), maxRefusal)))
}

// CloseWith sends a close frame with code and reason.
func (l *Link) CloseWith(code int, reason string) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	_ = l.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}
