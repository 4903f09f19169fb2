package ingest

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"framecast/backend/protocol"
)

// FuzzParse: nothing a producer sends makes the parsers panic, and whatever
// they accept as a frame is within the limit and a JPEG, or H.264 in Annex
// B whose keyframes hold an IDR picture.
func FuzzParse(f *testing.F) {
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9}
	frame, _ := protocol.EncodeFrame(protocol.Header{Seq: 1}, jpeg)
	f.Add(frame, false)
	f.Add([]byte("img=sq=data:image/jpeg;base64,/9j/4AAAAP/Z"), true)
	f.Add([]byte("a1=sq=[[1,2,3,4]]"), true)
	f.Add([]byte("img=sq=data:image/jpeg;base64,@@@"), true)
	f.Add([]byte("=sq="), true)
	f.Add([]byte{0, 0, 0, 1, '{'}, false)
	for _, name := range []string{"key64x48.h264", "p64x48.h264"} {
		au, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		key := strings.HasPrefix(name, "key")
		frame, _ := protocol.EncodeFrame(protocol.Header{Seq: 1, W: 64, H: 48, Codec: protocol.CodecH264, Key: key}, au)
		f.Add(frame, false)
	}
	const limit = 1 << 10
	f.Fuzz(func(t *testing.T, msg []byte, text bool) {
		var m Message
		var err error
		if text {
			m, err = ParseText(msg, limit)
		} else {
			m, err = ParseBinary(msg, limit)
		}
		if err != nil || !m.Frame {
			return
		}
		if len(m.Data) > limit {
			t.Fatalf("accepted a frame of %d bytes over the limit", len(m.Data))
		}
		switch m.Header.Codec {
		case "":
			if !bytes.HasPrefix(m.Data, []byte{0xFF, 0xD8, 0xFF}) {
				t.Fatalf("accepted a frame that is not a JPEG: % x", m.Data[:min(8, len(m.Data))])
			}
		case protocol.CodecH264:
			if !bytes.HasPrefix(m.Data, []byte{0, 0, 1}) && !bytes.HasPrefix(m.Data, []byte{0, 0, 0, 1}) {
				t.Fatalf("accepted H.264 that is not Annex B: % x", m.Data[:min(8, len(m.Data))])
			}
			if m.Header.Key != bytes.Contains(m.Data, []byte{0, 0, 1, 0x65}) {
				t.Fatalf("accepted H.264 whose key %v is not what it holds", m.Header.Key)
			}
		default:
			t.Fatalf("accepted codec %q", m.Header.Codec)
		}
	})
}
