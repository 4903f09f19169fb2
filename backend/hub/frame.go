package hub

import (
	"encoding/binary"
	"sync/atomic"

	"framecast/backend/protocol"
)

// Frame is one encoded picture and what it is, whatever its codec. A Frame
// is immutable once published: viewers on many goroutines read its bytes at
// the same time. Each consumer (WebSocket viewers, MJPEG, the push, the
// old-style root) writes it in a wire format of its own, made once per
// frame for all its viewers (Form), never copied per viewer.
type Frame struct {
	// Header is what the frame is: seq, capture time, size, codec and
	// keyframe (Codec, Keyframe), detections, processing times, metadata,
	// rendition.
	Header protocol.Header
	// Rendition is the hub key the frame is published under ("" the
	// stream's own size, a rendition's name, BurnKey): only viewers of
	// that key are offered it.
	Rendition string
	// Data is the encoded picture. It is the tail of Message.
	Data []byte
	// Message is the frame as Framecast's binary message
	// (protocol.EncodeFrame: header, then Data), what a producer sends and
	// a viewer reads, whatever the codec; on a relay, the producer's own
	// bytes, sent on as they came. It is the tail of one buffer whose
	// first bytes are free (Prepend), so a consumer can frame it for its
	// transport without copying the picture.
	Message []byte

	buf     []byte      // headroom, then Message; nil: no headroom
	claimed atomic.Bool // the headroom was used (Prepend)
	forms   forms
	// disposable: no other frame refers to this one (Disposable).
	disposable bool
}

// headroom is the room NewFrame keeps free in front of a frame's message:
// enough for a transport's framing (a WebSocket frame header takes at most
// 10 bytes).
const headroom = 16

// NewFrame builds a Frame of h's codec (a JPEG unless h.Codec says), copying
// data into the frame's own buffer so the caller may reuse or free its
// buffer afterwards.
func NewFrame(h protocol.Header, data []byte) (*Frame, error) {
	hdr, err := protocol.EncodeHeader(h)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, headroom+4+len(hdr)+len(data))
	msg := buf[headroom:]
	binary.BigEndian.PutUint32(msg, uint32(len(hdr)))
	copy(msg[4:], hdr)
	copy(msg[4+len(hdr):], data)
	return newFrame(h, buf, len(data)), nil
}

// FrameFromMessage makes a Frame of a binary message that is already what
// viewers get (a producer's, checked by the relay): its bytes are sent as
// they are, with no header written again. h is the message's header and
// dataLen the length of its picture (its tail, as protocol.DecodeFrame
// returns it); msg is copied, once, into the frame's buffer.
func FrameFromMessage(h protocol.Header, msg []byte, dataLen int) *Frame {
	buf := make([]byte, headroom+len(msg))
	copy(buf[headroom:], msg)
	return newFrame(h, buf, dataLen)
}

func newFrame(h protocol.Header, buf []byte, dataLen int) *Frame {
	msg := buf[headroom:]
	f := &Frame{Header: h, Data: msg[len(msg)-dataLen:], Message: msg, buf: buf}
	f.disposable = f.Codec() == protocol.CodecH264 && !h.Key && unreferenced(f.Data)
	return f
}

// Codec is how Data is encoded: protocol.CodecJPEG (a header that names
// none) or CodecH264.
func (f *Frame) Codec() string {
	if f.Header.Codec == "" {
		return protocol.CodecJPEG
	}
	return f.Header.Codec
}

// Keyframe reports whether a decoder can start at the frame: every JPEG,
// an H.264 IDR (the header's key).
func (f *Frame) Keyframe() bool { return f.Header.Codec == "" || f.Header.Key }

// Disposable reports whether no other frame refers to f: an H.264 frame
// of the top temporal layer, whose slices say nal_ref_idc 0. A viewer that
// skips it decodes the next frames all the same, where skipping any other
// frame of an inter-frame codec leaves it nothing to decode before the next
// keyframe. A JPEG is not disposable: nothing needs skipping it.
func (f *Frame) Disposable() bool { return f.disposable }

// unreferenced reports whether the first slice of an Annex B access unit
// has nal_ref_idc 0. Only the NAL units before it are looked at: an
// encoder's access unit starts with its slice, or with the SPS and PPS of
// a keyframe.
func unreferenced(au []byte) bool {
	for i := 0; i+3 < len(au); i++ {
		if au[i] != 0 || au[i+1] != 0 || au[i+2] != 1 {
			continue
		}
		nal := au[i+3]
		switch nal & 0x1f {
		case 1, 5: // a slice of a picture
			return nal&0x60 == 0
		case 7, 8, 9, 6: // SPS, PPS, delimiter, SEI: look on
			i += 3
		default:
			return false
		}
	}
	return false
}

// Prepend returns head followed by Message as one slice: written into the
// frame's headroom, with no copy of the message, the first time it is asked
// and head fits; a copy otherwise. Call it from a Form's make function, so
// each consumer asks once per frame.
func (f *Frame) Prepend(head []byte) []byte {
	if f.buf != nil && len(head) <= headroom && f.claimed.CompareAndSwap(false, true) {
		out := f.buf[headroom-len(head):]
		copy(out, head)
		return out
	}
	out := make([]byte, 0, len(head)+len(f.Message))
	return append(append(out, head...), f.Message...)
}

// As is the frame published under another hub key (BurnKey, when there is
// nothing to draw on it), its bytes shared: they are immutable.
func (f *Frame) As(key string) *Frame {
	return &Frame{Header: f.Header, Rendition: key, Data: f.Data, Message: f.Message, disposable: f.disposable}
}
