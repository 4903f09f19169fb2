package ingest

import (
	"bytes"
	"testing"

	"framecast/backend/protocol"
)

// FuzzParse: nothing a producer sends makes the parsers panic, and whatever
// they accept as a frame is a JPEG within the limit.
func FuzzParse(f *testing.F) {
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9}
	frame, _ := protocol.EncodeFrame(protocol.Header{Seq: 1}, jpeg)
	f.Add(frame, false)
	f.Add([]byte("img=sq=data:image/jpeg;base64,/9j/4AAAAP/Z"), true)
	f.Add([]byte("a1=sq=[[1,2,3,4]]"), true)
	f.Add([]byte("img=sq=data:image/jpeg;base64,@@@"), true)
	f.Add([]byte("=sq="), true)
	f.Add([]byte{0, 0, 0, 1, '{'}, false)
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
		if len(m.JPEG) > limit || !bytes.HasPrefix(m.JPEG, []byte{0xFF, 0xD8, 0xFF}) {
			t.Fatalf("accepted a frame that is not a JPEG within the limit: %d bytes % x", len(m.JPEG), m.JPEG[:min(8, len(m.JPEG))])
		}
	})
}
