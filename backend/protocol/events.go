package protocol

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Stream states carried by Hello and Status events.
const (
	StateLive     = "live"      // frames are flowing
	StateNoSignal = "no-signal" // the source failed and is being retried
	StateOff      = "off"       // the operator switched the camera off
	StateIdle     = "idle"      // nobody watches, so nothing is captured
)

// MaxInFlight is how many frames a viewer may have sent but not acked.
const MaxInFlight = 2

// Hello is the first text message a viewer gets after the upgrade.
type Hello struct {
	Type        string `json:"type"` // "hello"
	Stream      string `json:"stream"`
	State       string `json:"state"`
	W           int    `json:"w"`
	H           int    `json:"h"`
	Quality     int    `json:"quality"`
	MaxInFlight int    `json:"maxInFlight"`
	// Renditions are the sizes this viewer may pin (?rendition=NAME),
	// largest first: the stream's own, then smaller copies. Rendition is
	// the one pinned, or "auto": the server picks what the link carries.
	Renditions []Rendition `json:"renditions,omitempty"`
	Rendition  string      `json:"rendition,omitempty"`
	// Codec is what this viewer's frames carry (?codec=): "jpeg", or for
	// H.264 the codec string a browser's VideoDecoder is configured with
	// (CodecStringH264).
	Codec string `json:"codec,omitempty"`
}

// Status tells viewers the stream's state changed.
type Status struct {
	Type   string `json:"type"` // "status"
	State  string `json:"state"`
	Source string `json:"source"`
	Reason string `json:"reason,omitempty"`
}

// Bye is sent before the server closes a connection on purpose.
type Bye struct {
	Type   string `json:"type"` // "bye"
	Reason string `json:"reason"`
	// Moved: the stream no longer serves at this address (its port or
	// HTTPS changed). Retrying cannot help; the page says to ask for a new
	// link.
	Moved bool `json:"moved,omitempty"`
}

// Ack is what a viewer sends once it has shown a frame. Acks are cumulative.
type Ack struct {
	Type string `json:"type"` // "ack"
	Seq  uint64 `json:"seq"`
}

// KeyRequest is what an H.264 viewer sends when it cannot decode on (its
// decoder failed): the server asks the encoder for a keyframe, at most every
// 250 ms a rendition however many ask.
type KeyRequest struct {
	Type string `json:"type"` // "key"
}

// IsKeyRequest reports whether msg is a KeyRequest.
func IsKeyRequest(msg []byte) bool {
	var k KeyRequest
	return json.Unmarshal(msg, &k) == nil && k.Type == "key"
}

// ackPrefix starts every ack the viewer page sends, as encoding/json writes
// it: the fast path of ParseAck.
const ackPrefix = `{"type":"ack","seq":`

// ParseAck reads an ack message. The viewer's own form,
// {"type":"ack","seq":N}, is read without encoding/json (each viewer sends
// one per frame); any other spelling of it goes through encoding/json.
func ParseAck(msg []byte) (seq uint64, ok bool) {
	// Go's json.Encoder ends the message with a newline; JSON.stringify does not.
	if rest, found := bytes.CutPrefix(bytes.TrimRight(msg, " \t\r\n"), []byte(ackPrefix)); found && len(rest) > 1 && rest[len(rest)-1] == '}' {
		if n, err := strconv.ParseUint(string(rest[:len(rest)-1]), 10, 64); err == nil {
			return n, true
		}
	}
	var a Ack
	if json.Unmarshal(msg, &a) != nil || a.Type != "ack" {
		return 0, false
	}
	return a.Seq, true
}
