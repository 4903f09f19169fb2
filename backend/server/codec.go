package server

import (
	"errors"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// askedCodec is the codec a viewer's ?codec= asks for: jpeg (also "" and
// auto: the page itself knows whether its browser decodes H.264, and asks
// for it by name) or h264. Old-style pages (?format=dataurl) take JPEG
// alone.
func askedCodec(q, format string) (string, error) {
	switch q {
	case "", "auto", protocol.CodecJPEG:
		return protocol.CodecJPEG, nil
	case protocol.CodecH264:
		if format == "dataurl" {
			return "", errors.New("codec h264 cannot be sent as data URLs (format=dataurl): ask for jpeg")
		}
		return protocol.CodecH264, nil
	}
	return "", errors.New("codec must be jpeg, h264 or auto")
}

// codecFor is the codec a viewer that asked for asked gets now: H.264
// while the stream makes it (Deps.H264), else JPEG, as its hello says.
func (sh *Handler) codecFor(asked string) string {
	if asked == protocol.CodecH264 && sh.h264 != nil && sh.h264() {
		return protocol.CodecH264
	}
	return protocol.CodecJPEG
}

// codecName is what a viewer's hello says of its codec: "jpeg", or the
// codec string its VideoDecoder is configured with.
func codecName(codec string) string {
	if codec == protocol.CodecH264 {
		return protocol.CodecStringH264
	}
	return protocol.CodecJPEG
}

// setRendition moves the viewer to rendition ("" the stream's own size)
// in its codec, from the next frame on. An H.264 viewer then waits for a
// keyframe of the new rendition; v.out.mu is held.
func (v *wsViewer) setRendition(rendition string) {
	key := hub.CodecKey(rendition, v.codec)
	v.sub.SetRendition(key)
	v.needKey(key)
}

// needKey makes an H.264 viewer wait for a keyframe of key, and asks the
// producer for one; a JPEG viewer needs none. v.out.mu is held (or the
// viewer is not started yet).
func (v *wsViewer) needKey(key string) {
	if v.codec != protocol.CodecH264 {
		return
	}
	v.out.waitKey = true
	v.h.hub.RequestKey(key)
}

// decodable reports whether the viewer can decode f: any JPEG; an H.264
// frame only from a keyframe on, and after a frame it skipped (its
// mailbox replaced one: newest wins) only from the next keyframe, which is
// then asked for. v.out.mu is held.
func (v *wsViewer) decodable(f *hub.Frame) bool {
	if f.Codec() != protocol.CodecH264 {
		return true
	}
	if d := v.sub.Drops(); d != v.out.drops {
		v.out.drops = d
		v.out.waitKey = true
	}
	switch {
	case f.Keyframe():
		v.out.waitKey = false
	case v.out.waitKey:
		v.h.hub.RequestKey(f.Rendition)
		return false
	}
	return true
}
