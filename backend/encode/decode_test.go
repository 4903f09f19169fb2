package encode

import (
	"testing"

	"gocv.io/x/gocv"
)

// lumaDiff is the mean absolute difference of two I420 pictures' Y planes
// (h rows).
func lumaDiff(a, b gocv.Mat, h int) float64 {
	ya, yb := a.RowRange(0, h), b.RowRange(0, h)
	defer ya.Close()
	defer yb.Close()
	d := gocv.NewMat()
	defer d.Close()
	gocv.AbsDiff(ya, yb, &d)
	return d.Mean().Val1
}

func TestTheDecoderGivesBackEachFrameItWasEncodedFrom(t *testing.T) {
	const w, h = 320, 180
	enc, err := NewH264(H264Config{Width: w, Height: h, FPS: 30, Bitrate: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	dec, err := NewH264Decoder()
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	frame, raw, other, got := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer frame.Close()
	defer raw.Close()
	defer other.Close()
	defer got.Close()
	for n := range 30 {
		scene(&frame, n)
		au, _, err := enc.Encode(frame)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := dec.Decode(au, &got)
		if err != nil || !ok {
			t.Fatalf("frame %d: decoded %v: %v", n, ok, err)
		}
		if got.Cols() != w || got.Rows() != h*3/2 {
			t.Fatalf("frame %d decoded to %dx%d, want %dx%d", n, got.Cols(), got.Rows(), w, h*3/2)
		}
		gocv.CvtColor(frame, &raw, gocv.ColorBGRToYUVI420)
		scene(&frame, n+20) // the square elsewhere: what a wrong frame would look like
		gocv.CvtColor(frame, &other, gocv.ColorBGRToYUVI420)
		same, wrong := lumaDiff(raw, got, h), lumaDiff(other, got, h)
		if same > 2 || wrong < 4*same+1 {
			t.Fatalf("frame %d: differs from its own picture by %.2f a pixel, from another by %.2f", n, same, wrong)
		}
	}
	if _, err := dec.Decode([]byte{0, 0, 0, 1, 0x65, 1, 2, 3}, &got); err == nil {
		t.Fatal("a broken access unit decoded without an error")
	}
}
