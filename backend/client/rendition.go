package client

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
)

// renditionKey is how a frame header that names its rendition spells it.
var renditionKey = []byte(`"rendition"`)

// rendition reads the "rendition" field of a frame message's header, which
// protocol.Header does not carry (yet): a string is returned as it is, any
// other JSON value as its text. Headers without the field, the usual case,
// are not parsed again.
func rendition(msg []byte) string {
	if len(msg) < 4 {
		return ""
	}
	n := binary.BigEndian.Uint32(msg)
	if uint64(len(msg)-4) < uint64(n) {
		return ""
	}
	hdr := msg[4 : 4+n]
	if !bytes.Contains(hdr, renditionKey) {
		return ""
	}
	var h struct {
		Rendition json.RawMessage `json:"rendition"`
	}
	if json.Unmarshal(hdr, &h) != nil || len(h.Rendition) == 0 || string(h.Rendition) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(h.Rendition, &s) == nil {
		return s
	}
	return string(h.Rendition)
}
