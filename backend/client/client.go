// Package client is a Go viewer of a Framecast stream: it dials /ws, decodes
// frames and events, and acks. Tests and the benchmark use it.
package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Message is one message from the server: a frame or an event.
type Message struct {
	Frame    *protocol.Header // set for frames
	JPEG     []byte           // the frame's picture
	Event    string           // the event's type, for text messages
	Raw      []byte           // the event's JSON
	Received time.Time
	// Rendition is the frame header's "rendition": which of the stream's
	// renditions the frame belongs to; "" when the header has none.
	Rendition string
}

// Viewer is a connected viewer. It is not safe for concurrent use, except
// that Ack may run beside Next.
type Viewer struct {
	conn *websocket.Conn
	link *linkConn // the TCP connection under conn: counts, and paces a slow link
}

// Dial connects to a /ws URL (ws://host/ws?token=T). DialWith dials a
// viewer on a slow link.
func Dial(ctx context.Context, url string, header http.Header) (*Viewer, error) {
	return DialWith(ctx, url, DialOptions{Header: header})
}

// BytesRead is how many bytes the viewer has read from its TCP connection
// (WebSocket framing included) so far. It may run beside Next.
func (v *Viewer) BytesRead() int64 {
	if v.link == nil {
		return 0
	}
	return v.link.read.Load()
}

// Next reads the next message, waiting at most timeout.
func (v *Viewer) Next(timeout time.Duration) (Message, error) {
	_ = v.conn.SetReadDeadline(time.Now().Add(timeout))
	kind, data, err := v.conn.ReadMessage()
	m := Message{Received: time.Now()}
	if err != nil {
		return m, err
	}
	if kind == websocket.BinaryMessage {
		h, jpeg, err := protocol.DecodeFrame(data)
		if err != nil {
			return m, err
		}
		m.Frame, m.JPEG = &h, jpeg
		m.Rendition = rendition(data)
		return m, nil
	}
	var ev struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return m, fmt.Errorf("event is not JSON: %w", err)
	}
	m.Event, m.Raw = ev.Type, data
	return m, nil
}

// NextFrame skips events until a frame arrives.
func (v *Viewer) NextFrame(timeout time.Duration) (Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		m, err := v.Next(time.Until(deadline))
		if err != nil || m.Frame != nil {
			return m, err
		}
	}
}

// Ack tells the server the frame seq was shown.
func (v *Viewer) Ack(seq uint64) error {
	return v.conn.WriteJSON(protocol.Ack{Type: "ack", Seq: seq})
}

// RequestKey asks for an H.264 keyframe, as a page whose decoder failed
// does. It may run beside Next (not beside Ack).
func (v *Viewer) RequestKey() error {
	return v.conn.WriteJSON(protocol.KeyRequest{Type: "key"})
}

// Close closes the connection.
func (v *Viewer) Close() error { return v.conn.Close() }
