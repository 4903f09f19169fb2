package server

import (
	"encoding/binary"

	"framecast/backend/hub"
)

// framed is a frame as a viewer's connection carries it: one final,
// unmasked binary WebSocket frame (RFC 6455 section 5.2, as a server sends
// it) holding the frame's message. It is made once per frame, in the
// frame's headroom (hub.Frame.Prepend), so the picture is held once and
// every viewer is written the very same bytes: by writeFrame, or by the
// hub's fan-out goroutine through trySend and the splice.
var framed = hub.NewForm(func(f *hub.Frame) []byte { return f.Prepend(wsFrameHeader(len(f.Message))) })

// wsFrameHeader is the header of a final, unmasked binary WebSocket frame
// of n bytes.
func wsFrameHeader(n int) []byte {
	switch {
	case n < 126:
		return []byte{0x82, byte(n)}
	case n <= 0xffff:
		return []byte{0x82, 126, byte(n >> 8), byte(n)}
	default:
		return binary.BigEndian.AppendUint64([]byte{0x82, 127}, uint64(n))
	}
}

// wsFrame frames payload as one final, unmasked binary WebSocket frame.
func wsFrame(payload []byte) []byte {
	return append(wsFrameHeader(len(payload)), payload...)
}
