package server

import (
	"errors"
	"slices"
	"time"

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
// in its codec, from the next frame on; v.out.mu is held.
func (v *wsViewer) setRendition(rendition string) {
	v.setKey(hub.CodecKey(rendition, v.codec))
}

// setKey moves the viewer to hub key from the next frame on. An H.264
// viewer then waits for a keyframe of the new key; v.out.mu is held.
func (v *wsViewer) setKey(key string) {
	v.sub.SetRendition(key)
	v.needKey(key)
}

// levels are the hub keys an adapting viewer moves between, the largest
// picture first: ladder's renditions in the viewer's codec, and for H.264
// on a stream that makes them (steps, bitrateSteps) each followed by its
// lower-bitrate step (hub.LowKey). A link that cannot
// carry 720p at its bitrate so first gets 720p at half of it, then 360p:
// fewer bits for the same picture lose less of it than a quarter of the
// pixels does. A viewer that pinned a rendition (now ours, "" the own size)
// keeps it: an H.264 one moves between its two steps, a JPEG one nowhere.
func (v *wsViewer) levels(ladder []protocol.Rendition, ours string, steps bool) []string {
	names := keys(ladder)
	if v.out.pinned {
		names = []string{ours}
	}
	var out []string
	for _, name := range names {
		key := hub.CodecKey(name, v.codec)
		out = append(out, key)
		if steps && v.codec == protocol.CodecH264 {
			out = append(out, hub.LowKey(key))
		}
	}
	return out
}

// adapting gives the viewer an adapter for ladder, at the key it takes,
// where it has more than one to move between; else none. v.out.mu is held
// (or the viewer is not started yet).
func (v *wsViewer) adapting(ladder []protocol.Rendition, ours string, now time.Time) {
	v.out.adapt, v.out.steps = nil, v.h.bitrateSteps()
	levels := v.levels(ladder, ours, v.out.steps)
	if v.dataURL || len(levels) < 2 {
		return
	}
	bad := badShare
	if v.codec == protocol.CodecH264 {
		bad = badShareH264
	}
	v.out.adapt = newAdapter(levels, now, bad)
	// The key it takes: ours, or its lower step.
	v.out.adapt.level = max(0, slices.Index(levels, v.sub.Rendition()))
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
// frame only from a keyframe on, and after it skipped a frame that others
// refer to (its mailbox replaced one: newest wins) only from the next
// keyframe, which is then asked for. Skipping a frame no other refers to
// (hub.Frame.Disposable) costs nothing. v.out.mu is held.
func (v *wsViewer) decodable(f *hub.Frame) bool {
	if f.Codec() != protocol.CodecH264 {
		return true
	}
	if d := v.sub.RefDrops(); d != v.out.drops {
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
