package engine

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/internal/testclip"
)

// collect takes every frame of key from the hub's fan-out goroutine, in
// order and without a drop, until n have come. frames is every frame taken
// so far; upTo waits until n have come.
func collect(t *testing.T, h *hub.Hub, key string, n int) (frames func() []*hub.Frame, upTo func(int)) {
	t.Helper()
	var mu sync.Mutex
	var got []*hub.Frame
	want, told := n, false
	enough := make(chan struct{}, 1)
	sub := h.Subscribe("ws", "test", key)
	t.Cleanup(func() { h.Unsubscribe(sub) })
	sub.SetDirect(func(f *hub.Frame) bool {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, f)
		if len(got) >= want && !told {
			told = true
			enough <- struct{}{}
		}
		return true
	})
	wait := func() {
		select {
		case <-enough:
		case <-time.After(30 * time.Second):
			t.Fatalf("fewer than %d frames of %s in 30 s", want, key)
		}
	}
	wait()
	return func() []*hub.Frame {
			mu.Lock()
			defer mu.Unlock()
			return append([]*hub.Frame(nil), got...)
		}, func(n int) {
			mu.Lock()
			want, told = n, len(got) >= n
			if told {
				enough <- struct{}{}
			}
			mu.Unlock()
			wait()
		}
}

func TestH264IsMadeOnlyWhileTakenAndFFmpegDecodesEveryFrame(t *testing.T) {
	s := Settings{Source: "test", Quality: 80, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true}
	_, h := start(t, s, Deps{Renditions: protocol.DefaultRenditions()})
	key := hub.CodecKey("", protocol.CodecH264)
	frames, upTo := collect(t, h, key, 70)
	got := frames()[:70]
	// A machine short of CPU skips frames no other refers to in the hub's
	// fan-out (hub.fanOutLocked), telling the viewer: each seq missing
	// must be one of those.
	var drops uint64
	for _, v := range h.Viewers(time.Now()) {
		drops += v.Drops
	}
	missing := uint64(0)
	var stream bytes.Buffer
	for i, f := range got {
		if f.Codec() != protocol.CodecH264 || f.Header.Codec != protocol.CodecH264 || f.Rendition != key {
			t.Fatalf("frame %d: codec %q (header %q), key %q", i, f.Codec(), f.Header.Codec, f.Rendition)
		}
		if i == 0 && !f.Keyframe() {
			t.Fatal("the first H.264 frame is not a keyframe: a viewer could not start")
		}
		if i > 0 {
			if f.Header.Seq <= got[i-1].Header.Seq {
				t.Fatalf("frame %d: seq %d after %d", i, f.Header.Seq, got[i-1].Header.Seq)
			}
			missing += f.Header.Seq - got[i-1].Header.Seq - 1
		}
		stream.Write(f.Data)
	}
	if missing > drops {
		t.Fatalf("%d frames missing between the first and the 70th, %d of them skipped by the hub", missing, drops)
	}
	if h.Latest("") != nil {
		t.Fatal("a JPEG was made though only H.264 is taken")
	}
	if got := testclip.ProbeH264(t, stream.Bytes()); got["width"] != "640" || got["height"] != "360" || got["nb_read_frames"] != "70" {
		t.Fatalf("ffprobe says %v, want 640x360 and 70 frames", got)
	}

	// A keyframe asked for comes within a few frames, long before the
	// periodic one: every 60 frames, so the one at 60 is behind us.
	at := len(frames())
	h.RequestKey(key)
	upTo(at + 10)
	keyAt := -1
	for i, f := range frames()[at:] {
		if f.Keyframe() {
			keyAt = i
			break
		}
	}
	if keyAt < 0 {
		t.Fatal("no keyframe within 10 frames of the request")
	}
}

func TestARenditionsLowerStepIsItsOwnStreamAtHalfTheBitrate(t *testing.T) {
	s := Settings{Source: "test", Quality: 80, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true}
	_, h := start(t, s, Deps{Renditions: protocol.DefaultRenditions()})
	key := hub.CodecKey("", protocol.CodecH264)
	low := hub.LowKey(key)
	full, _ := collect(t, h, key, 60)
	lower, _ := collect(t, h, low, 60)
	var fullBytes, lowBytes int
	var stream bytes.Buffer
	for i, f := range lower()[:60] {
		if f.Rendition != low || f.Header.Rendition != "" || f.Codec() != protocol.CodecH264 {
			t.Fatalf("frame %d of %q: key %q, rendition %q, codec %q", i, low, f.Rendition, f.Header.Rendition, f.Codec())
		}
		if i == 0 && !f.Keyframe() {
			t.Fatal("the lower step's first frame is not a keyframe")
		}
		lowBytes += len(f.Data)
		stream.Write(f.Data)
	}
	for _, f := range full()[len(full())-60:] {
		fullBytes += len(f.Data)
	}
	fb, lb := full()[0].Header.Bitrate, lower()[0].Header.Bitrate
	if fb != h264Bitrate(0, 640, 360, 640, 360, 30, false) || lb != fb/2 {
		t.Fatalf("the frames say %d and %d bit/s, want %d and half of it", fb, lb, h264Bitrate(0, 640, 360, 640, 360, 30, false))
	}
	if lowBytes >= fullBytes {
		t.Fatalf("60 frames of the lower step took %d bytes, the full bitrate's %d", lowBytes, fullBytes)
	}
	if got := testclip.ProbeH264(t, stream.Bytes()); got["width"] != "640" || got["nb_read_frames"] != "60" {
		t.Fatalf("ffprobe says %v of the lower step, want 640 wide and 60 frames", got)
	}
}
