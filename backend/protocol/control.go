package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The control channel of the ingest WebSocket (/ingest/{stream}): the JSON
// text messages a producer (framecast serve --push, the Python client) and
// a relay exchange beside the frames. Frames themselves go as binary
// messages in the /ws format (EncodeFrame, Header). Each message is a JSON
// object whose "type" says which one it is. A producer skips a type it
// does not know (ErrUnknownControl), so a later relay may send more; a
// relay refuses one with a Refusal, and the connection carries on.
//
// The field order of each type is the order on the wire: the relay's
// messages were first written from Go maps, whose keys encoding/json sorts,
// and the bytes stay as they were.

// Types of the control messages ("type").
const (
	// TypeRenditions is both RenditionsOffer (producer → relay) and
	// RenditionsWant (relay → producer).
	TypeRenditions = "renditions"
	// TypeViewers is ViewerCount (relay → producer).
	TypeViewers = "viewers"
	// TypeError is Refusal (relay → producer).
	TypeError = "error"
	// TypeKeyframe is KeyframeWant (relay → producer).
	TypeKeyframe = "keyframe"
)

// RelayMessage is a control message a relay sends a producer: a
// ViewerCount, a RenditionsWant, a KeyframeWant, a Refusal or
// AuditRecords.
type RelayMessage interface{ relayMessage() }

func (ViewerCount) relayMessage()    {}
func (RenditionsWant) relayMessage() {}
func (Refusal) relayMessage()        {}
func (KeyframeWant) relayMessage()   {}

// RenditionsOffer goes from producer to relay: the renditions the producer
// can encode, its own size first, each next one smaller, at most
// MaxRenditions below it, named as RenditionName names them. It is sent
// once connected when the producer has more than one size, and again
// whenever its ladder changes; an empty one (no "renditions") says it has
// one size now. The relay refuses a bad ladder with a Refusal.
//
// Codecs names what the producer encodes besides JPEG, such as
// [CodecH264]. A producer that names any is sent exact lists
// (RenditionsWant.Exact) and keyframe requests (KeyframeWant); it sends
// its offer once connected even with one size, before its first frame.
type RenditionsOffer struct {
	Type       string      `json:"type"` // TypeRenditions
	Renditions []Rendition `json:"renditions,omitempty"`
	Codecs     []string    `json:"codecs,omitempty"`
	// Steps says the producer also encodes each H.264 rendition at a
	// lower bitrate (Header.Step StepLow) when asked for its hub key
	// ("360p@h264+low"): the step a viewer on a slow link takes before a
	// smaller size.
	Steps bool `json:"steps,omitempty"`
}

// NewRenditionsOffer offers ladder in JPEG and in codecs.
func NewRenditionsOffer(ladder []Rendition, codecs []string) RenditionsOffer {
	return RenditionsOffer{Type: TypeRenditions, Renditions: ladder, Codecs: codecs}
}

// WithSteps offers the lower bitrate steps too.
func (o RenditionsOffer) WithSteps() RenditionsOffer {
	o.Steps = true
	return o
}

// ViewerCount goes from relay to producer: how many watch the stream on the
// relay (on every relay of a cluster). It is sent when the producer
// connects and whenever the number changes; a producer may stop sending
// frames, and capturing, while it is 0.
//
// Links counts the viewers of each of the producer's links (LinksOffer)
// among them, on every relay of a cluster; links without viewers are left
// out, and it is absent when none has any. A producer from before links
// ignores it.
type ViewerCount struct {
	Count int            `json:"count"`
	Type  string         `json:"type"` // TypeViewers
	Links map[string]int `json:"links,omitempty"`
}

// NewViewerCount says that n watch.
func NewViewerCount(n int) ViewerCount { return ViewerCount{Count: n, Type: TypeViewers} }

// WithLinks counts the viewers of each link too (none: left out).
func (m ViewerCount) WithLinks(links map[string]int) ViewerCount {
	m.Links = nil
	if len(links) > 0 {
		m.Links = links
	}
	return m
}

// RenditionsWant goes from relay to producer: the names of the smaller
// renditions (of the producer's RenditionsOffer) that viewers take now, on
// this relay and in a cluster on every other, sorted. It is sent whenever
// the list changes, an empty list ([], never null) when viewers stopped
// taking any. The producer sends frames of those renditions (Header's
// Rendition) beside its own size, and of no others.
//
// To a producer that offered codecs, the relay sends Exact lists: Want is
// then everything the producer sends, each a rendition in a codec as a hub
// key names it ("" the own size in JPEG, "360p" a smaller one,
// "@h264" the own size in H.264, "360p@h264"), and the own size in JPEG is
// sent only when "" is in it.
type RenditionsWant struct {
	Type  string   `json:"type"` // TypeRenditions
	Want  []string `json:"want"`
	Exact bool     `json:"exact,omitempty"`
}

// NewRenditionsWant asks for the renditions named in want, besides the own
// size in JPEG (exact false) or as want says (exact true).
func NewRenditionsWant(want []string, exact bool) RenditionsWant {
	if want == nil {
		want = []string{}
	}
	return RenditionsWant{Type: TypeRenditions, Want: want, Exact: exact}
}

// KeyframeWant goes from relay to producer: viewers of Key (a hub key of
// an inter-frame codec, "@h264" or "360p@h264", one the relay wants) wait
// for a keyframe, having joined, skipped frames or lost their decoder's
// state. The relay sends it at most every 250 ms a key; the producer makes
// the next frame of Key a keyframe, bounding the rate again on its side.
type KeyframeWant struct {
	Type string `json:"type"` // TypeKeyframe
	Key  string `json:"key"`
}

// NewKeyframeWant asks for a keyframe of key.
func NewKeyframeWant(key string) KeyframeWant { return KeyframeWant{Type: TypeKeyframe, Key: key} }

// Refusal goes from relay to producer when the relay refused one of its
// messages (a bad frame, a bad ladder, metadata over a limit): Error says
// why, in words for a person. The message was not passed on, and the
// producer stays connected.
type Refusal struct {
	Error string `json:"error"`
	Type  string `json:"type"` // TypeError
}

// NewRefusal says why a message was refused.
func NewRefusal(why string) Refusal { return Refusal{Error: why, Type: TypeError} }

// IsControl reports whether a text message on the ingest WebSocket is a
// control message (a JSON object) rather than the old setup's
// "key=sq=value".
func IsControl(msg []byte) bool { return len(msg) > 0 && msg[0] == '{' }

// ErrUnknownControl is returned for a control message of a type the
// reading side does not take: it skips it.
var ErrUnknownControl = errors.New("unknown control message")

// ParseRelayMessage reads a control message a relay sent a producer: a
// ViewerCount, a RenditionsWant, a KeyframeWant, a Refusal or
// AuditRecords, or ErrUnknownControl. Counts per link and audit records
// over their bounds are an error.
func ParseRelayMessage(msg []byte) (RelayMessage, error) {
	var kind struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(msg, &kind); err != nil {
		return nil, fmt.Errorf("control message: %w", err)
	}
	switch kind.Type {
	case TypeViewers:
		m, err := decode[ViewerCount](msg)
		if err != nil {
			return nil, err
		}
		if err := m.(ViewerCount).checkLinks(); err != nil {
			return nil, err
		}
		return m, nil
	case TypeRenditions:
		return decode[RenditionsWant](msg)
	case TypeError:
		return decode[Refusal](msg)
	case TypeKeyframe:
		return decode[KeyframeWant](msg)
	case TypeAudit:
		m, err := decode[AuditRecords](msg)
		if err != nil {
			return nil, err
		}
		if err := m.(AuditRecords).check(); err != nil {
			return nil, err
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: type %s", ErrUnknownControl, Quote(kind.Type))
}

// decode reads msg as a T.
func decode[T RelayMessage](msg []byte) (RelayMessage, error) {
	var m T
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, fmt.Errorf("control message %T: %w", m, err)
	}
	return m, nil
}

// ProducerMessage is a control message a producer sends a relay: a
// RenditionsOffer or a LinksOffer.
type ProducerMessage interface{ producerMessage() }

func (RenditionsOffer) producerMessage() {}
func (LinksOffer) producerMessage()      {}

// ParseProducerMessage reads a control message a producer sent a relay: a
// RenditionsOffer or a LinksOffer (of at most MaxLinkOffers links).
func ParseProducerMessage(msg []byte) (ProducerMessage, error) {
	var kind struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(msg, &kind); err == nil && kind.Type == TypeLinks {
		var o LinksOffer
		if err := json.Unmarshal(msg, &o); err != nil {
			return nil, fmt.Errorf(`links: not {"type":"links","links":[{"name","hash","expires_at","max_viewers"}…]}: %w`, err)
		}
		if len(o.Links) > MaxLinkOffers {
			return nil, fmt.Errorf("links: %d, at most %d", len(o.Links), MaxLinkOffers)
		}
		if o.Links == nil {
			o.Links = []LinkOffer{}
		}
		return o, nil
	}
	var o RenditionsOffer
	if err := json.Unmarshal(msg, &o); err != nil || o.Type != TypeRenditions {
		return nil, errors.New(oldControlRefusal)
	}
	return o, nil
}
