// Package hub fans frames out from one producer to many viewers. Each frame is
// encoded once; every viewer has a one-frame mailbox where the newest frame
// wins, so a slow viewer never blocks the producer or the other viewers.
package hub

import (
	"encoding/base64"
	"fmt"
	"sync"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Frame is one encoded picture. A Frame is immutable once published: viewers
// on many goroutines read its bytes at the same time.
type Frame struct {
	Header protocol.Header
	// JPEG is the picture; it aliases the tail of the wire message.
	JPEG []byte
	// Msg is the binary WebSocket message, framed once for all viewers.
	Msg *websocket.PreparedMessage

	dataURLOnce sync.Once
	dataURL     *websocket.PreparedMessage
}

// DataURL is the frame as the old relay sent it: a text message
// "data:image/jpeg;base64,…". It is built once, on first use, for all the
// old-style viewers.
func (f *Frame) DataURL() *websocket.PreparedMessage {
	f.dataURLOnce.Do(func() {
		const prefix = "data:image/jpeg;base64,"
		b := make([]byte, len(prefix)+base64.StdEncoding.EncodedLen(len(f.JPEG)))
		copy(b, prefix)
		base64.StdEncoding.Encode(b[len(prefix):], f.JPEG)
		// NewPreparedMessage fails only for an unknown message type.
		f.dataURL, _ = websocket.NewPreparedMessage(websocket.TextMessage, b)
	})
	return f.dataURL
}

// NewFrame builds a Frame, copying jpeg into a new wire message so the caller
// may reuse or free its buffer afterwards.
func NewFrame(h protocol.Header, jpeg []byte) (*Frame, error) {
	wire, err := protocol.EncodeFrame(h, jpeg)
	if err != nil {
		return nil, err
	}
	msg, err := websocket.NewPreparedMessage(websocket.BinaryMessage, wire)
	if err != nil {
		return nil, fmt.Errorf("prepare frame message: %w", err)
	}
	return &Frame{Header: h, JPEG: wire[len(wire)-len(jpeg):], Msg: msg}, nil
}
