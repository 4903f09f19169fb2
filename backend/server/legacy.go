package server

import (
	"encoding/base64"

	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Legacy is a frame as the old setup's pages take it: built once per
// frame, on first use, for all the old-style viewers (the relay's root,
// ?format=dataurl).
type Legacy struct {
	// Text is the frame as the old setup's producer sent it and the old
	// relay forwarded it: a text message "img=sq=data:image/jpeg;base64,…".
	Text *websocket.PreparedMessage
	// DataURL is the bare data URL, "data:image/jpeg;base64,…", for pages
	// that set img.src from each message.
	DataURL *websocket.PreparedMessage
}

// LegacyForm makes a frame's Legacy from its JPEG. A relay whose producer
// sent that very text gives it with SetLegacyText instead, so old-style
// viewers get those bytes and nothing is encoded again.
var LegacyForm = hub.NewForm(func(f *hub.Frame) Legacy {
	b := make([]byte, len(protocol.LegacyPicturePrefix)+base64.StdEncoding.EncodedLen(len(f.Data)))
	copy(b, protocol.LegacyPicturePrefix)
	base64.StdEncoding.Encode(b[len(protocol.LegacyPicturePrefix):], f.Data)
	return legacyOf(b)
})

// SetLegacyText gives f its Legacy from the text an old-style producer
// sent (protocol.LegacyPicturePrefix, then the JPEG in base64). Call it
// before f is published.
func SetLegacyText(f *hub.Frame, msg []byte) { LegacyForm.Set(f, legacyOf(msg)) }

func legacyOf(msg []byte) Legacy {
	// NewPreparedMessage fails only for an unknown message type.
	text, _ := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	dataURL, _ := websocket.NewPreparedMessage(websocket.TextMessage, msg[len(protocol.LegacyPictureKey):])
	return Legacy{Text: text, DataURL: dataURL}
}
