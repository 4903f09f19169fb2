package config

import (
	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// Camera is what one running stream remembers: what the desktop keeps per
// camera and a config file per stream. The server's port, HTTPS and
// admin token are the whole program's, not a camera's.
type Camera struct {
	// Name names the stream in its address (/s/<name>/) and on a relay;
	// protocol.ValidStreamName holds for it.
	Name   string          `json:"name"`
	Stream engine.Settings `json:"stream"`
	// Token is the stream's viewer token; "" : a new random one.
	Token string `json:"token"`
	// PublishToken is what a producer gives to send its frames to
	// /ingest/<name> when the source is "ingest"; protocol.CheckToken
	// holds for it when set.
	PublishToken string `json:"publishToken,omitempty"`
	Push         Push   `json:"push"`
	// Record: the stream is recorded, when the program has a folder for
	// recordings (Recording.Dir); a file without it is false.
	Record bool `json:"record,omitempty"`
	// Renditions are the smaller copies offered to viewers on slow links:
	// nil is protocol.DefaultRenditions(), empty is none. A config file
	// sets them; the desktop keeps the default.
	Renditions []protocol.Rendition `json:"-"`
}

// OfferedRenditions are the smaller copies a stream whose setting is r
// offers: r, or protocol.DefaultRenditions() when r is nil (unset); empty
// is none. Camera.Renditions and FileStream.Renditions hold to it.
func OfferedRenditions(r []protocol.Rendition) []protocol.Rendition {
	if r == nil {
		return protocol.DefaultRenditions()
	}
	return r
}
