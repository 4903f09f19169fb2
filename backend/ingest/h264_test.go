package ingest

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"framecast/backend/protocol"
)

// testdata/key64x48.h264 and p64x48.h264 are a keyframe (SPS, PPS, IDR)
// and the next frame of a 64×48 stream, as backend/encode's OpenH264
// encoder made them.
func readAU(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func h264Frame(t *testing.T, h protocol.Header, au []byte) []byte {
	t.Helper()
	h.Codec = protocol.CodecH264
	msg, err := protocol.EncodeFrame(h, au)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestAnEncodersH264FramesPass(t *testing.T) {
	key, p := readAU(t, "key64x48.h264"), readAU(t, "p64x48.h264")
	for _, c := range []struct {
		name string
		key  bool
		au   []byte
	}{{"keyframe", true, key}, {"predicted frame", false, p}, {"three-byte start codes", true, bytes.ReplaceAll(key, []byte{0, 0, 0, 1}, []byte{0, 0, 1})}} {
		m, err := ParseBinary(h264Frame(t, protocol.Header{Seq: 1, W: 64, H: 48, Key: c.key}, c.au), DefaultMaxFrame)
		if err != nil {
			t.Fatalf("%s refused: %v", c.name, err)
		}
		if !m.Frame || !bytes.Equal(m.Data, c.au) || m.Header.Codec != protocol.CodecH264 {
			t.Fatalf("%s read as %+v", c.name, m.Header)
		}
	}
}

// Every way a producer's H.264 frame can be broken is refused, each with a
// reason that names what is wrong.
func TestBrokenH264FramesAreRefusedSayingWhy(t *testing.T) {
	key, p := readAU(t, "key64x48.h264"), readAU(t, "p64x48.h264")
	idr := bytes.Index(key, []byte{0, 0, 0, 1, 0x65})
	sps := key[:bytes.Index(key[4:], []byte{0, 0, 0, 1})+4]
	hdr := protocol.Header{Seq: 1, W: 64, H: 48}
	keyHdr := hdr
	keyHdr.Key = true
	cases := []struct {
		name string
		h    protocol.Header
		au   []byte
		why  string
	}{
		{"empty", hdr, nil, "Annex B"},
		{"no start code", hdr, p[4:], "Annex B"},
		{"a start code alone", hdr, []byte{0, 0, 0, 1}, "empty"},
		{"an empty NAL unit between two", hdr, append([]byte{0, 0, 0, 1, 0, 0, 1}, p[4:]...), "empty"},
		{"a slice cut to its header", hdr, []byte{0, 0, 0, 1, 0x61}, "truncated"},
		{"cut in a start code", hdr, append(bytes.Clone(p), 0, 0), "cut short"},
		{"forbidden bit", hdr, append([]byte{0, 0, 0, 1, 0xE1}, p[5:]...), "forbidden"},
		{"a NAL type of another profile", hdr, append([]byte{0, 0, 0, 1, 0x62}, p[5:]...), "type 2"},
		{"parameter sets but no picture", keyHdr, key[:idr], "no slice"},
		{"a keyframe said not to be one", hdr, key, "key false"},
		{"a predicted frame said to be a keyframe", keyHdr, p, "key true"},
		{"an IDR without its SPS and PPS", keyHdr, key[idr:], "SPS and PPS"},
		{"an IDR and a predicted slice", keyHdr, append(bytes.Clone(key), p...), "mixes"},
		{"a header of another size", protocol.Header{Seq: 1, W: 1280, H: 720, Key: true}, key, "64x48"},
		{"a broken SPS", keyHdr, append([]byte{0, 0, 0, 1, 0x67, 0x42}, key[idr:]...), "SPS"},
		{"high profile", keyHdr, append(append([]byte{0, 0, 0, 1, 0x67, 100}, sps[6:]...), key[len(sps):]...), "profile 100"},
		{"over the size limit", keyHdr, append(bytes.Clone(key), bytes.Repeat([]byte{0, 0, 1, 0x0C, 0xFF}, 300)...), "over the limit"},
		{"too many NAL units", hdr, append(bytes.Repeat([]byte{0, 0, 1, 0x09, 0xF0}, maxNALUs), p...), "more than"},
		{"a codec the relay does not know", protocol.Header{Seq: 1, W: 64, H: 48, Codec: "vp9"}, p, "codec"},
		{"a bitrate step of no name", protocol.Header{Seq: 1, W: 64, H: 48, Step: "high"}, p, "step"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.h
			if h.Codec == "" {
				h.Codec = protocol.CodecH264
			}
			msg, err := protocol.EncodeFrame(h, c.au)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseBinary(msg, 1500)
			if err == nil {
				t.Fatalf("accepted: %+v", m.Header)
			}
			if !strings.Contains(err.Error(), c.why) {
				t.Fatalf("refused with %q, which does not say %q", err, c.why)
			}
		})
	}
}

func TestAJPEGSaidToBeAKeyframeOrABitrateStepIsRefused(t *testing.T) {
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9}
	for _, h := range []protocol.Header{{Seq: 1, Key: true}, {Seq: 1, Step: protocol.StepLow}} {
		msg, _ := protocol.EncodeFrame(h, jpeg)
		if _, err := ParseBinary(msg, DefaultMaxFrame); err == nil {
			t.Fatalf("a JPEG frame with %+v was accepted", h)
		}
	}
}
