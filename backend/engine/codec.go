package engine

import (
	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// H264 reports whether the stream sends H.264 to viewers that ask for it
// (Settings.Codec), for server.Deps.H264 and the push's codecs: a viewer
// asking for H.264 gets JPEG while not. A change of it is told to the hub
// (RenditionsChanged), so viewers watching follow it.
func (e *Engine) H264() bool { return e.inForce().Codec != CodecJPEG }

// withoutH264 takes the H.264 keys out of taken, under JPEG only: a
// viewer still taking H.264 just after the switch (until the server moves
// it to JPEG) gets no frames, and its encoder is closed as for a key
// nobody takes. The keys a tap takes stay (the recorder's): JPEG only is
// what viewers get.
func withoutH264(taken, tapped map[string]bool) {
	for key := range taken {
		if _, codec := hub.SplitKey(key); codec == protocol.CodecH264 && !tapped[key] {
			delete(taken, key)
		}
	}
}
