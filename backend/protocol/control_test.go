package protocol

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// The bytes of each control message as the producer and the relay wrote
// them before the types were shared (Go maps for the relay's viewer counts
// and refusals, whose keys encoding/json sorts): a producer of another
// language, or of an older Framecast, reads exactly these.
func TestControlMessagesKeepTheirBytesOnTheWire(t *testing.T) {
	ladder := []Rendition{{Name: "720p", W: 1280, H: 720, Quality: 80}, {Name: "360p", W: 640, H: 360, Quality: 70}}
	cases := []struct {
		name string
		msg  any
		want string
	}{
		{"a producer offers its ladder", NewRenditionsOffer(ladder, nil),
			`{"type":"renditions","renditions":[{"name":"720p","w":1280,"h":720,"quality":80},{"name":"360p","w":640,"h":360,"quality":70}]}`},
		{"a producer of one size offers no renditions", NewRenditionsOffer(nil, nil), `{"type":"renditions"}`},
		{"a producer offers H.264 besides JPEG", NewRenditionsOffer(nil, []string{CodecH264}), `{"type":"renditions","codecs":["h264"]}`},
		{"the relay says how many watch", NewViewerCount(3), `{"count":3,"type":"viewers"}`},
		{"the relay says nobody watches", NewViewerCount(0), `{"count":0,"type":"viewers"}`},
		{"the relay asks for renditions", NewRenditionsWant([]string{"240p", "360p"}, false), `{"type":"renditions","want":["240p","360p"]}`},
		{"the relay asks for no rendition with an empty list", NewRenditionsWant([]string{}, false), `{"type":"renditions","want":[]}`},
		{"the relay's empty list is never null", NewRenditionsWant(nil, false), `{"type":"renditions","want":[]}`},
		{"the relay asks a producer of codecs for exactly these", NewRenditionsWant([]string{"", "360p@h264"}, true), `{"type":"renditions","want":["","360p@h264"],"exact":true}`},
		{"the relay asks for a keyframe", NewKeyframeWant("@h264"), `{"type":"keyframe","key":"@h264"}`},
		{"the relay refuses a message", NewRefusal(`frame 3: not a JPEG <&> "x" é`),
			`{"error":"frame 3: not a JPEG \u003c\u0026\u003e \"x\" é","type":"error"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Fatalf("got  %s\nwant %s", b, c.want)
			}
		})
	}
}

func TestAProducerReadsEachMessageTheRelaySends(t *testing.T) {
	cases := []struct {
		name string
		sent RelayMessage
	}{
		{"a viewer count", NewViewerCount(7)},
		{"a count of nobody", NewViewerCount(0)},
		{"the renditions wanted", NewRenditionsWant([]string{"180p", "360p"}, false)},
		{"no rendition wanted", NewRenditionsWant(nil, false)},
		{"exactly these wanted", NewRenditionsWant([]string{"@h264"}, true)},
		{"a keyframe wanted", NewKeyframeWant("360p@h264")},
		{"a refusal", NewRefusal("metadata key over 64 bytes")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.sent)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseRelayMessage(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.sent) {
				t.Fatalf("sent %#v, read %#v", c.sent, got)
			}
		})
	}
}

func TestAProducerSkipsWhatItDoesNotKnow(t *testing.T) {
	cases := []struct {
		name    string
		msg     string
		unknown bool // ErrUnknownControl, rather than a broken message
	}{
		{"a type of a later relay", `{"type":"bitrate","kbps":900}`, true},
		{"no type", `{"count":3}`, true},
		{"not JSON", `{"type":"viewers"`, false},
		{"a count that is no number", `{"type":"viewers","count":"3"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseRelayMessage([]byte(c.msg))
			if err == nil {
				t.Fatalf("read %#v, want an error", m)
			}
			if errors.Is(err, ErrUnknownControl) != c.unknown {
				t.Fatalf("error %v: unknown %v, want %v", err, !c.unknown, c.unknown)
			}
		})
	}
}

func TestARelayReadsTheOfferAProducerSends(t *testing.T) {
	sent := NewRenditionsOffer(Ladder(1280, 720, 80, DefaultRenditions()), []string{CodecH264})
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseProducerMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sent) {
		t.Fatalf("sent %#v, read %#v", sent, got)
	}
	for _, bad := range []string{`{"type":"viewers","count":1}`, `{"renditions":[]}`, `{"type":"renditions"`, `[]`} {
		if o, err := ParseProducerMessage([]byte(bad)); err == nil {
			t.Errorf("%s read as %#v, want an error", bad, o)
		}
	}
}

func TestOnlyAJSONObjectIsAControlMessage(t *testing.T) {
	cases := []struct {
		name string
		msg  string
		want bool
	}{
		{"an offer", `{"type":"renditions"}`, true},
		{"the old setup's picture", "img=sq=data:image/jpeg;base64,/9j/", false},
		{"the old setup's metadata", `a1=sq=[{"x":1}]`, false},
		{"nothing", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsControl([]byte(c.msg)); got != c.want {
				t.Fatalf("IsControl(%q) = %v, want %v", c.msg, got, c.want)
			}
		})
	}
}
