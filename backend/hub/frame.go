// Package hub fans frames out from one producer to many viewers. Each frame is
// encoded once; every viewer has a one-frame mailbox where the newest frame
// wins, so a slow viewer never blocks the producer or the other viewers.
package hub

import (
	"fmt"

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
