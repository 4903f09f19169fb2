package protocol

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecodeFrame: any bytes either decode or give an error, never a panic,
// and what decodes encodes back to the same header and JPEG.
func FuzzDecodeFrame(f *testing.F) {
	good, _ := EncodeFrame(Header{Seq: 1, TS: 2, W: 3, H: 4, Detections: []Detection{{Label: "face", Score: 1, Box: [4]int{1, 2, 3, 4}}}}, []byte{0xFF, 0xD8, 0xFF, 0xD9})
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, '{'})
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, jpeg, err := DecodeFrame(msg)
		if err != nil {
			return
		}
		again, err := EncodeFrame(h, jpeg)
		if err != nil {
			t.Fatalf("a decoded header does not encode: %v", err)
		}
		h2, jpeg2, err := DecodeFrame(again)
		if err != nil || !reflect.DeepEqual(h, h2) || !bytes.Equal(jpeg, jpeg2) {
			t.Fatalf("round trip changed the frame: %+v / %+v, %v", h, h2, err)
		}
	})
}
