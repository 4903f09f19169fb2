package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	jpeg := []byte{0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9}
	in := Header{Seq: 42, TS: 1_700_000_000_123_456, W: 1280, H: 720,
		Detections: []Detection{{Label: "face", Score: 0.9, Box: [4]int{10, 20, 30, 40}}},
		Proc:       []ProcTime{{Name: "faces", Ms: 12.5}}}
	msg, err := EncodeFrame(in, jpeg)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.BigEndian.Uint32(msg)
	if int(n)+4+len(jpeg) != len(msg) {
		t.Fatalf("length prefix %d does not match message of %d bytes", n, len(msg))
	}
	out, body, err := DecodeFrame(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("header = %+v, want %+v", out, in)
	}
	if !bytes.Equal(body, jpeg) {
		t.Fatalf("jpeg = %x, want %x", body, jpeg)
	}
}

func TestThePlaceholderMarkTravelsOnlyOnNoSignalFrames(t *testing.T) {
	cases := []struct {
		name    string
		in      Header
		wireHas bool // whether the header JSON names the field
	}{
		{"a NO SIGNAL frame says so", Header{Seq: 1, W: 2, H: 2, Placeholder: true}, true},
		{"a real frame carries no mark at all", Header{Seq: 2, W: 2, H: 2}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, err := EncodeFrame(c.in, []byte{0xFF, 0xD8, 0xFF})
			if err != nil {
				t.Fatal(err)
			}
			if has := bytes.Contains(msg, []byte(`"placeholder":true`)); has != c.wireHas {
				t.Fatalf("header %s: placeholder named = %v, want %v", msg[4:len(msg)-3], has, c.wireHas)
			}
			out, _, err := DecodeFrame(msg)
			if err != nil || out.Placeholder != c.in.Placeholder {
				t.Fatalf("decoded %+v, %v; want placeholder %v", out, err, c.in.Placeholder)
			}
		})
	}
}

func TestDecodeFrameRefusesBadInput(t *testing.T) {
	long := make([]byte, 4)
	binary.BigEndian.PutUint32(long, 100)
	huge := make([]byte, 4)
	binary.BigEndian.PutUint32(huge, MaxHeaderSize+1)
	notJSON := append([]byte{0, 0, 0, 3}, "abc"...)
	cases := []struct {
		name  string
		msg   []byte
		short bool
	}{
		{"a message shorter than the length prefix is too short", []byte{0, 0}, true},
		{"a header longer than the message is too short", append(long, "{}"...), true},
		{"a header length over the limit is refused", append(huge, "{}"...), false},
		{"a header that is not JSON is refused", notJSON, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := DecodeFrame(c.msg)
			if err == nil {
				t.Fatal("want an error")
			}
			if errors.Is(err, ErrShortFrame) != c.short {
				t.Fatalf("errors.Is(err, ErrShortFrame) = %v for %v", !c.short, err)
			}
		})
	}
}

func TestAFrameWithAHeaderOverTheLimitIsNotEncoded(t *testing.T) {
	meta := map[string]string{}
	for i := 0; i < 20; i++ {
		meta[strings.Repeat("k", i+1)] = strings.Repeat("v", 4000)
	}
	if _, err := EncodeFrame(Header{Seq: 1, Meta: meta}, []byte{0xFF, 0xD8, 0xFF}); !errors.Is(err, ErrHeaderTooBig) {
		t.Fatalf("a header of about 80 KB: err %v, want ErrHeaderTooBig", err)
	}
	delete(meta, "k")
	for k := range meta {
		if len(k) > 15 {
			delete(meta, k)
		}
	}
	if _, err := EncodeFrame(Header{Seq: 1, Meta: meta}, []byte{0xFF, 0xD8, 0xFF}); err != nil {
		t.Fatalf("a header of about 56 KB: %v", err)
	}
}
