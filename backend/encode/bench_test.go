package encode

import (
	"testing"

	"gocv.io/x/gocv"
)

// BenchmarkH264Encode720p encodes 1280x720 frames of a moving picture with
// sensor-like noise at 2 Mbit/s, on one core (OpenH264's own threads are
// off): the target is 8 ms a frame.
func BenchmarkH264Encode720p(b *testing.B) {
	enc, err := NewH264(H264Config{Width: 1280, Height: 720, FPS: 30, Bitrate: 2_000_000})
	if err != nil {
		b.Fatal(err)
	}
	defer enc.Close()
	frame := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	defer frame.Close()
	noise := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	defer noise.Close()
	bytes := 0
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		scene(&frame, n)
		gocv.RandN(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(6, 6, 6, 0))
		gocv.Add(frame, noise, &frame)
		b.StartTimer()
		au, _, err := enc.Encode(frame)
		if err != nil {
			b.Fatal(err)
		}
		bytes += len(au)
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "B/frame")
}
