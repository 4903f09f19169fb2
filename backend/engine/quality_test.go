package engine

import (
	"context"
	"testing"
)

func TestQualityIsMeasuredForBothCodecsAndFollowsTheJPEGQuality(t *testing.T) {
	measure := func(jpegQuality int) Quality {
		t.Helper()
		q, err := MeasureQuality(context.Background(), QualityConfig{Source: "test", MaxWidth: 320, MaxHeight: 180, FPS: 30, Quality: jpegQuality, Frames: 20, Warmup: 10})
		if err != nil {
			t.Fatal(err)
		}
		if q.Frames != 20 || q.Width != 320 || q.Height != 180 || q.H264.Bitrate != h264Bitrate(0, 320, 180, 320, 180, 30, false) {
			t.Fatalf("measured %d frames of %dx%d at %d bit/s, want 20 of 320x180 at the default bitrate", q.Frames, q.Width, q.Height, q.H264.Bitrate)
		}
		for name, c := range map[string]CodecQuality{"JPEG": q.JPEG, "H.264": q.H264} {
			if c.Bytes <= 0 || c.SSIM < 0.5 || c.SSIM > 1 {
				t.Fatalf("%s: %.0f bytes a frame, SSIM %.4f", name, c.Bytes, c.SSIM)
			}
		}
		return q
	}
	low, high := measure(10), measure(95)
	if low.JPEG.SSIM >= high.JPEG.SSIM-0.01 || low.JPEG.Bytes >= high.JPEG.Bytes {
		t.Fatalf("JPEG at quality 10: SSIM %.4f, %.0f bytes; at 95: %.4f, %.0f bytes", low.JPEG.SSIM, low.JPEG.Bytes, high.JPEG.SSIM, high.JPEG.Bytes)
	}
	t.Logf("quality 95: JPEG %.0f B SSIM %.4f, H.264 %.0f B SSIM %.4f", high.JPEG.Bytes, high.JPEG.SSIM, high.H264.Bytes, high.H264.SSIM)
}

func TestQualityOfASourceThatCannotBeOpenedIsAnError(t *testing.T) {
	if _, err := MeasureQuality(context.Background(), QualityConfig{Source: "/nonexistent/clip.avi", Quality: 80, Frames: 5}); err == nil {
		t.Fatal("no error")
	}
}
