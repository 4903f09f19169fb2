package hub

import (
	"slices"
	"strings"
	"sync"
	"time"

	"framecast/backend/protocol"
)

// A hub key names what a viewer takes: a rendition ("" the stream's own
// size, or a rendition's name) in a codec, with or without the detections
// burned in, at the rendition's bitrate or its lower step. The hub offers
// each frame only to the viewers of its key; a producer encodes the keys
// some viewer takes (Taken), and no others. The syntax:
//
//	key       = rendition [ "@" codec [ "+low" ] ] | rendition "+boxes"
//	rendition = "" | a rendition's name ("360p")
//	codec     = "h264" (JPEG is named by no codec at all)
//
// so "" and "360p" are JPEG pictures, "+boxes" and "360p+boxes" the same
// with the detections drawn on, "@h264" and "360p@h264" H.264 at the
// rendition's bitrate, "@h264+low" and "360p@h264+low" H.264 at its lower
// step (LowKey).

// burnSuffix marks the hub key of a picture with its detections drawn on
// (BurnKey).
const burnSuffix = "+boxes"

// codecSep separates a rendition from its codec in a hub key (CodecKey).
const codecSep = "@"

// BurnKey is the hub key of rendition's picture ("" the stream's own
// size) with the detections drawn onto it, which a stream whose chain
// asks for that makes for clients that cannot draw them (MJPEG,
// snapshots), and only while one takes it.
func BurnKey(rendition string) string { return rendition + burnSuffix }

// CodecKey is the hub key of rendition's picture ("" the stream's own size)
// in codec: the rendition itself for JPEG, "360p@h264" for H.264.
func CodecKey(rendition, codec string) string {
	if codec == "" || codec == protocol.CodecJPEG {
		return rendition
	}
	return rendition + codecSep + codec
}

// lowSuffix marks the hub key of a rendition's copy at a lower bitrate
// (LowKey).
const lowSuffix = "+low"

// LowKey is the hub key of key's picture at a lower bitrate: the step an
// H.264 viewer's link adaptation takes before a smaller size, since a
// smaller size at the same bits a pixel loses more of the picture than the
// same size at fewer bits. Only an H.264 key (CodecKey) has one.
func LowKey(key string) string { return key + lowSuffix }

// HeaderKey is the hub key of a frame whose header is h: its rendition in
// its codec, at its bitrate step. A relay files a producer's frames under
// it.
func HeaderKey(h protocol.Header) string {
	codec := h.Codec
	if codec == "" {
		codec = protocol.CodecJPEG
	}
	key := CodecKey(h.Rendition, codec)
	if h.Step == protocol.StepLow && codec != protocol.CodecJPEG {
		key = LowKey(key)
	}
	return key
}

// IsLow reports whether key is a lower-bitrate step (LowKey).
func IsLow(key string) bool {
	return strings.HasSuffix(key, lowSuffix) && strings.Contains(key, codecSep)
}

// SplitKey is what CodecKey joined: the rendition and the codec (JPEG
// when the key names none). A lower-bitrate step (LowKey) splits as the
// key it is a step of.
func SplitKey(key string) (rendition, codec string) {
	if IsLow(key) {
		key = strings.TrimSuffix(key, lowSuffix)
	}
	if i := strings.LastIndex(key, codecSep); i >= 0 {
		return key[:i], key[i+len(codecSep):]
	}
	return key, protocol.CodecJPEG
}

// minKeyGap is the least time between two keyframes made on request for
// one hub key: a crowd of joiners, or a viewer on a link that keeps
// dropping frames, asks often, and without a bound the stream would become
// keyframes only (each several times a predicted frame's size). A joiner
// waits at most this long for its first picture beyond the encode.
const minKeyGap = 250 * time.Millisecond

// keyRequests are the hub keys whose viewers wait for a keyframe
// (RequestKey).
type keyRequests struct {
	mu   sync.Mutex
	want map[string]bool      // guarded by mu
	made map[string]time.Time // when the last keyframe of each key was made; guarded by mu
	// asked is closed, and replaced, when a key is asked for that was
	// not already (KeyAsked); nil until somebody waits. Guarded by mu.
	asked chan struct{}
}

// RequestKey asks the producer for a keyframe of key: a viewer that joined
// or skipped a frame of an inter-frame codec can decode nothing before one.
func (h *Hub) RequestKey(key string) {
	h.keys.mu.Lock()
	defer h.keys.mu.Unlock()
	if h.keys.want == nil {
		h.keys.want = make(map[string]bool)
	}
	if h.keys.want[key] {
		return
	}
	h.keys.want[key] = true
	if h.keys.asked != nil {
		close(h.keys.asked)
		h.keys.asked = nil
	}
}

// KeyAsked returns a channel that is closed when a keyframe is next asked
// for (RequestKey): a producer that is not the encoder itself (a relay
// passing requests on to its producer, or to the relay that holds it)
// waits on it, then looks at KeysWanted.
func (h *Hub) KeyAsked() <-chan struct{} {
	h.keys.mu.Lock()
	defer h.keys.mu.Unlock()
	if h.keys.asked == nil {
		h.keys.asked = make(chan struct{})
	}
	return h.keys.asked
}

// KeysWanted lists the keys a keyframe is asked for and not yet made, and
// when the first of them is due (KeyDue) at the earliest: zero when one is
// due now or none is asked for.
func (h *Hub) KeysWanted(now time.Time) (keys []string, next time.Duration) {
	h.keys.mu.Lock()
	defer h.keys.mu.Unlock()
	for key := range h.keys.want {
		wait := max(0, minKeyGap-now.Sub(h.keys.made[key]))
		if len(keys) == 0 || wait < next {
			next = wait
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys, next
}

// KeyDue reports whether the producer should make key's next frame a
// keyframe now: one was asked for (RequestKey), and the last was made at
// least minKeyGap ago. The request is then taken. The producer reports
// every keyframe it makes, asked for or not, with KeyMade.
func (h *Hub) KeyDue(key string, now time.Time) bool {
	h.keys.mu.Lock()
	defer h.keys.mu.Unlock()
	if !h.keys.want[key] || now.Sub(h.keys.made[key]) < minKeyGap {
		return false
	}
	delete(h.keys.want, key)
	return true
}

// KeyMade records that the producer made a keyframe of key at now.
func (h *Hub) KeyMade(key string, now time.Time) {
	h.keys.mu.Lock()
	defer h.keys.mu.Unlock()
	if h.keys.made == nil {
		h.keys.made = make(map[string]time.Time)
	}
	h.keys.made[key] = now
	delete(h.keys.want, key)
}

// IsInterKey reports whether key is of a codec whose frames depend on
// earlier ones (H.264): its viewers start at keyframes and ask for them.
func IsInterKey(key string) bool {
	_, codec := SplitKey(key)
	return codec == protocol.CodecH264
}
