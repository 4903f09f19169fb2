// Package hub fans frames out from one producer to many viewers. Each frame is
// encoded once; every viewer has a one-frame mailbox where the newest frame
// wins, so a slow viewer never blocks the producer or the other viewers.
package hub

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sync"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Frame is one encoded picture. A Frame is immutable once published: viewers
// on many goroutines read its bytes at the same time.
type Frame struct {
	Header protocol.Header
	// JPEG is the picture; it aliases the tail of Wire.
	JPEG []byte
	// Wire is the binary message as viewers get it: header, then JPEG.
	Wire []byte
	// Msg is Wire as a gorilla message, for the push: a client, whose
	// frames gorilla masks.
	Msg *websocket.PreparedMessage
	// Framed is Wire as one unmasked binary WebSocket frame, header and
	// all: the bytes a server writes to a viewer's connection. Wire (and
	// so JPEG) is its tail.
	Framed []byte
	// Rendition is the rendition the frame is ("" the stream's own size):
	// only viewers on that rendition are offered it.
	Rendition string

	legacyOnce sync.Once
	legacyMsg  *websocket.PreparedMessage
	dataURLMsg *websocket.PreparedMessage
}

// SetLegacyText gives the frame its picture as the old setup's producer sent
// it (protocol.LegacyPicturePrefix, then the JPEG in base64), so old-style viewers get
// those very bytes and nothing is encoded again. Call it before Publish.
func (f *Frame) SetLegacyText(msg []byte) {
	f.legacyOnce.Do(func() { f.prepareLegacy(msg) })
}

func (f *Frame) legacyText() {
	f.legacyOnce.Do(func() {
		b := make([]byte, len(protocol.LegacyPicturePrefix)+base64.StdEncoding.EncodedLen(len(f.JPEG)))
		copy(b, protocol.LegacyPicturePrefix)
		base64.StdEncoding.Encode(b[len(protocol.LegacyPicturePrefix):], f.JPEG)
		f.prepareLegacy(b)
	})
}

func (f *Frame) prepareLegacy(msg []byte) {
	// NewPreparedMessage fails only for an unknown message type.
	f.legacyMsg, _ = websocket.NewPreparedMessage(websocket.TextMessage, msg)
	f.dataURLMsg, _ = websocket.NewPreparedMessage(websocket.TextMessage, msg[len(protocol.LegacyPictureKey):])
}

// LegacyText is the frame as the old setup's producer sent it and the old
// relay forwarded it: a text message "img=sq=data:image/jpeg;base64,…". It
// is built once, on first use, for all the old-style viewers.
func (f *Frame) LegacyText() *websocket.PreparedMessage {
	f.legacyText()
	return f.legacyMsg
}

// DataURL is the frame as a bare text data URL, "data:image/jpeg;base64,…",
// for pages that set img.src from each message. Built once, as LegacyText.
func (f *Frame) DataURL() *websocket.PreparedMessage {
	f.legacyText()
	return f.dataURLMsg
}

// NewFrame builds a Frame, copying jpeg into a new wire message so the caller
// may reuse or free its buffer afterwards.
func NewFrame(h protocol.Header, jpeg []byte) (*Frame, error) {
	wire, err := protocol.EncodeFrame(h, jpeg)
	if err != nil {
		return nil, err
	}
	return framedFrame(h, wire, len(jpeg))
}

// FrameFromWire makes a Frame of a wire message that is already what
// viewers get (a producer's, checked by the relay): its bytes are sent as
// they are, with no header written again. h and jpeg are the message's
// header and the JPEG slice of msg (its tail, as protocol.DecodeFrame
// returns it); msg is copied, once, into the frame's WebSocket frame.
func FrameFromWire(h protocol.Header, msg, jpeg []byte) (*Frame, error) {
	return framedFrame(h, msg, len(jpeg))
}

// framedFrame frames wire once as the bytes viewers' connections carry;
// Wire and JPEG are the tail of those bytes, so a frame holds its picture
// once.
func framedFrame(h protocol.Header, wire []byte, jpegLen int) (*Frame, error) {
	framed := wsFrame(wire)
	wire = framed[len(framed)-len(wire):]
	msg, err := websocket.NewPreparedMessage(websocket.BinaryMessage, wire)
	if err != nil {
		return nil, fmt.Errorf("prepare frame message: %w", err)
	}
	return &Frame{Header: h, JPEG: wire[len(wire)-jpegLen:], Wire: wire, Msg: msg, Framed: framed}, nil
}

// wsFrame frames payload as one final, unmasked binary WebSocket frame
// (RFC 6455 section 5.2), as a server sends it.
func wsFrame(payload []byte) []byte {
	n := len(payload)
	var b []byte
	switch {
	case n < 126:
		b = append(make([]byte, 0, 2+n), 0x82, byte(n))
	case n <= 0xffff:
		b = append(make([]byte, 0, 4+n), 0x82, 126, byte(n>>8), byte(n))
	default:
		b = append(make([]byte, 0, 10+n), 0x82, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// burnSuffix marks the hub key of a picture with its detections drawn on
// (BurnKey).
const burnSuffix = "+boxes"

// BurnKey is the hub key of rendition's picture ("" the stream's own
// size) with the detections drawn onto it, which a stream whose chain
// asks for that makes for clients that cannot draw them (MJPEG,
// snapshots), and only while one takes it.
func BurnKey(rendition string) string { return rendition + burnSuffix }

// As is the frame published under another hub key (BurnKey, when there is
// nothing to draw on it), its bytes shared: they are immutable.
func (f *Frame) As(key string) *Frame {
	return &Frame{Header: f.Header, JPEG: f.JPEG, Wire: f.Wire, Msg: f.Msg, Framed: f.Framed, Rendition: key}
}
