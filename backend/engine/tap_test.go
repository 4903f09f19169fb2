package engine

import (
	"sync"
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/internal/testnet"
)

// A recorder is a tap on the own size's H.264: with no viewer at all the
// stream captures and encodes for it, every frame in order, and JPEG only
// (what viewers get) does not stop it.
func TestATapAloneKeepsTheStreamCapturingAndJPEGOnlyKeepsItsH264(t *testing.T) {
	s := Settings{Source: "test", Quality: 80, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true, Codec: CodecJPEG}
	e, h := start(t, s, Deps{})
	key := hub.CodecKey("", protocol.CodecH264)
	var mu sync.Mutex
	var got []*hub.Frame
	untap := h.Tap(key, func(f *hub.Frame) {
		mu.Lock()
		got = append(got, f)
		mu.Unlock()
	})
	frames := func() []*hub.Frame {
		mu.Lock()
		defer mu.Unlock()
		return append([]*hub.Frame(nil), got...)
	}
	testnet.WaitFor(t, 30*time.Second, "30 H.264 frames for the tap", func() bool { return len(frames()) >= 30 })
	if h.Count() != 0 || len(h.Viewers(time.Now())) != 0 {
		t.Fatalf("the tap counts as a viewer: count %d", h.Count())
	}
	fs := frames()
	if !fs[0].Keyframe() {
		t.Fatal("the tap's first frame is not a keyframe")
	}
	for i := 1; i < len(fs); i++ {
		if fs[i].Header.Seq != fs[i-1].Header.Seq+1 {
			t.Fatalf("frame %d: seq %d after %d: the tap missed a frame", i, fs[i].Header.Seq, fs[i-1].Header.Seq)
		}
	}
	if h.Latest("") != nil {
		t.Fatal("a JPEG was made though nobody takes one")
	}

	untap()
	testnet.WaitFor(t, 10*time.Second, "the stream idle without the tap", func() bool {
		return e.Stats().State == protocol.StateIdle
	})
	n := len(frames())
	time.Sleep(200 * time.Millisecond)
	if len(frames()) != n {
		t.Fatal("frames still reach a removed tap")
	}
}
