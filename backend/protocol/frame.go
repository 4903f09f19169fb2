// Package protocol holds Framecast's wire format: the binary frame message
// (length-prefixed JSON header, then JPEG bytes) and the JSON text events.
package protocol

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxHeaderSize bounds the JSON header of a frame message so a bad peer
// cannot make a reader allocate without limit.
const MaxHeaderSize = 64 << 10

// ErrHeaderTooBig is returned for a frame whose header is over MaxHeaderSize:
// no viewer would read it.
var ErrHeaderTooBig = errors.New("frame header too big")

// ErrShortFrame is returned when a frame message ends before its header does.
var ErrShortFrame = errors.New("frame message too short")

// Codecs a frame's picture may be in, as a frame's Codec and a viewer's
// ?codec= name them.
const (
	// CodecJPEG: each frame a JPEG, every one a keyframe.
	CodecJPEG = "jpeg"
	// CodecH264: each frame one H.264 access unit in Annex B (start codes),
	// constrained baseline, no B-frames; a keyframe (Key) is an IDR with
	// its SPS and PPS before it, so a viewer can start at any of them.
	CodecH264 = "h264"
	// CodecStringH264 is what H.264 frames are to a browser's
	// VideoDecoder (WebCodecs), said in a viewer's hello: constrained
	// baseline (66, constraint flags 0xE0), level 3.1 (1280×720 at 30 fps).
	CodecStringH264 = "avc1.42E01F"
)

// Header describes one frame.
type Header struct {
	Seq uint64 `json:"seq"`
	TS  int64  `json:"ts"` // capture time, Unix microseconds
	W   int    `json:"w"`
	H   int    `json:"h"`
	// Detections are what the processing chain found in this frame, in the
	// pixel coordinates of the transmitted JPEG.
	Detections []Detection `json:"detections,omitempty"`
	// Proc is each processor's time on this frame, in chain order.
	Proc []ProcTime `json:"proc,omitempty"`
	// Meta is what an old-style producer sent beside its pictures
	// ("key=sq=value" messages): the newest value of each key.
	Meta map[string]string `json:"meta,omitempty"`
	// MetaSeq says, for each key in Meta, the seq of the picture its value
	// was sent after: the old setup sends a picture, then what belongs to
	// it. A value with MetaSeq one below this frame's Seq belongs to the
	// picture before this one.
	MetaSeq map[string]uint64 `json:"metaSeq,omitempty"`
	// Placeholder marks the NO SIGNAL picture sent while the source is lost
	// and being retried: it shows no capture, so a viewer (or a test) can
	// tell it from a real frame without looking at its pixels.
	Placeholder bool `json:"placeholder,omitempty"`
	// Rendition names the size this frame was encoded at (a Rendition's
	// name) when it is one of the stream's smaller copies; empty for the
	// stream's own size.
	Rendition string `json:"rendition,omitempty"`
	// Codec is the payload's codec when it is not a JPEG: CodecH264.
	Codec string `json:"codec,omitempty"`
	// Key marks an H.264 frame a decoder can start at (CodecH264). A JPEG
	// frame leaves it out: each one is.
	Key bool `json:"key,omitempty"`
	// Bitrate is the target, in bits a second, of the encoder that made an
	// H.264 frame: a viewer whose link cannot carry its rendition's is moved
	// to a lower one before a smaller size. A JPEG frame leaves it out.
	Bitrate int `json:"bitrate,omitempty"`
	// Step names the lower bitrate step of its rendition an H.264 frame
	// belongs to (StepLow), empty for the rendition's own bitrate: a relay
	// passes each step's frames to the viewers of that step alone.
	Step string `json:"step,omitempty"`
}

// StepLow is the lower bitrate step of an H.264 rendition (Header.Step).
const StepLow = "low"

// MaxMetaKeys bounds the metadata keys of one stream.
const MaxMetaKeys = 32

// Detection is one thing found in a frame.
type Detection struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
	Box   [4]int  `json:"box"` // x, y, w, h
}

// ProcTime is one processor's cost.
type ProcTime struct {
	Name string  `json:"name"`
	Ms   float64 `json:"ms"`
}

// EncodeFrame builds one binary frame message: a 4-byte big-endian header
// length, the header JSON, then the JPEG bytes. It allocates once.
func EncodeFrame(h Header, jpeg []byte) ([]byte, error) {
	hdr, err := EncodeHeader(h)
	if err != nil {
		return nil, err
	}
	msg := make([]byte, 4+len(hdr)+len(jpeg))
	binary.BigEndian.PutUint32(msg, uint32(len(hdr)))
	copy(msg[4:], hdr)
	copy(msg[4+len(hdr):], jpeg)
	return msg, nil
}

// EncodeHeader is a frame's header as a binary message carries it (after
// its length), at most MaxHeaderSize bytes.
func EncodeHeader(h Header) ([]byte, error) {
	hdr, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode frame header: %w", err)
	}
	if len(hdr) > MaxHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", ErrHeaderTooBig, len(hdr), MaxHeaderSize)
	}
	return hdr, nil
}

// DecodeFrame splits a binary frame message into its header and JPEG bytes.
// The returned JPEG slice aliases msg.
func DecodeFrame(msg []byte) (Header, []byte, error) {
	var h Header
	if len(msg) < 4 {
		return h, nil, ErrShortFrame
	}
	n := binary.BigEndian.Uint32(msg)
	if n > MaxHeaderSize {
		return h, nil, fmt.Errorf("frame header length %d over limit %d", n, MaxHeaderSize)
	}
	if uint64(len(msg)-4) < uint64(n) {
		return h, nil, fmt.Errorf("%w: header says %d bytes, %d left", ErrShortFrame, n, len(msg)-4)
	}
	if err := json.Unmarshal(msg[4:4+n], &h); err != nil {
		return h, nil, fmt.Errorf("frame header is not JSON: %w", err)
	}
	return h, msg[4+n:], nil
}
