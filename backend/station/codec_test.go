package station

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/relay"
)

// viewer is a viewer of st asking for codec, with its hello.
func viewer(t *testing.T, st *served, codec string) (*client.Viewer, protocol.Hello) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d/ws?token=%s&codec=%s", st.Port(), small().Token, codec), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	m, err := v.Next(10 * time.Second)
	var hello protocol.Hello
	if err != nil || m.Event != "hello" || json.Unmarshal(m.Raw, &hello) != nil {
		t.Fatalf("first message %q %s: %v", m.Event, m.Raw, err)
	}
	return v, hello
}

// frameIn reads v's frames, acking each, until one comes in codec ("" for
// JPEG, as a frame header says it).
func frameIn(t *testing.T, v *client.Viewer, codec string) {
	t.Helper()
	for range 100 {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatalf("no %q frame: %v", codec, err)
		}
		if err := v.Ack(m.Frame.Seq); err != nil {
			t.Fatal(err)
		}
		if m.Frame.Codec == codec {
			return
		}
	}
	t.Fatalf("100 frames and none in %q", codec)
}

// helloOf reads v, acking frames, until the server sends a new hello, and
// returns the codec it names; the connection stays.
func helloOf(t *testing.T, v *client.Viewer) string {
	t.Helper()
	return helloAcking(t, v, true)
}

// helloAcking is helloOf, acking the frames before the hello only if ack
// says so: a page drops the H.264 frames still decoding when the stream
// turns to JPEG, and never acks them.
func helloAcking(t *testing.T, v *client.Viewer, ack bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := v.Next(time.Until(deadline))
		if err != nil {
			t.Fatalf("no new hello: %v", err)
		}
		if m.Frame != nil {
			if ack {
				_ = v.Ack(m.Frame.Seq)
			}
			continue
		}
		if m.Event == "bye" {
			t.Fatalf("the viewer was closed (%s): a codec change keeps it", m.Raw)
		}
		var hello protocol.Hello
		if m.Event == "hello" && json.Unmarshal(m.Raw, &hello) == nil {
			return hello.Codec
		}
	}
}

// firstIn reads v's frames, acking each, and fails unless every one after
// a new hello is in codec, the first H.264 one a keyframe, and the first
// comes well within ackTimeout (5 s): frames in flight of the codec before
// hold none of the new back.
func firstIn(t *testing.T, v *client.Viewer, codec string) {
	t.Helper()
	for i := range 5 {
		m, err := v.NextFrame(3 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Ack(m.Frame.Seq)
		if m.Frame.Codec != codec {
			t.Fatalf("frame %d after the new hello is in %q, want %q", i, m.Frame.Codec, codec)
		}
		if i == 0 && codec == protocol.CodecH264 && !m.Frame.Key {
			t.Fatal("the first H.264 frame after the new hello is not a keyframe")
		}
	}
}

func TestTheCodecChoiceMovesH264ViewersToJPEGAndBackWithoutDroppingThem(t *testing.T) {
	st := start(t, small(), Deps{})
	h264, hello := viewer(t, st, "h264")
	if hello.Codec != protocol.CodecStringH264 {
		t.Fatalf("hello says %q under auto, want H.264", hello.Codec)
	}
	frameIn(t, h264, protocol.CodecH264)
	jpeg, _ := viewer(t, st, "jpeg")
	frameIn(t, jpeg, "")
	// Two H.264 frames in flight, never acked: a page drops the frames
	// still decoding when the stream turns to JPEG.
	for range protocol.MaxInFlight {
		if _, err := h264.NextFrame(10 * time.Second); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := st.Update(func(s *engine.Settings) { s.Codec = engine.CodecJPEG }); err != nil {
		t.Fatal(err)
	}
	if codec := helloAcking(t, h264, false); codec != protocol.CodecJPEG {
		t.Fatalf("under JPEG only the H.264 viewer is told %q", codec)
	}
	firstIn(t, h264, "")
	// A viewer joining now asks for H.264 and gets JPEG.
	late, hello := viewer(t, st, "h264")
	if hello.Codec != protocol.CodecJPEG {
		t.Fatalf("hello says %q under JPEG only, want jpeg", hello.Codec)
	}
	frameIn(t, late, "")
	if saved := st.Saved().Stream.Codec; saved != engine.CodecJPEG {
		t.Fatalf("saved codec %q", saved)
	}

	if _, err := st.Update(func(s *engine.Settings) { s.Codec = engine.CodecAuto }); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*client.Viewer{h264, late} {
		if codec := helloOf(t, v); codec != protocol.CodecStringH264 {
			t.Fatalf("back on auto a viewer asking for H.264 is told %q", codec)
		}
		firstIn(t, v, protocol.CodecH264)
	}
	// The JPEG viewer was told nothing new and kept its frames throughout.
	for range 5 {
		m, err := jpeg.Next(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m.Frame == nil {
			t.Fatalf("the JPEG viewer was sent %s", m.Raw)
		}
		_ = jpeg.Ack(m.Frame.Seq)
		if m.Frame.Codec != "" {
			t.Fatalf("the JPEG viewer got a %q frame", m.Frame.Codec)
		}
	}
}

// codecAt reads v's hellos (acking frames) until one names want.
func codecAt(t *testing.T, v *client.Viewer, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if got := helloOf(t, v); got == want {
			return
		}
	}
	t.Fatalf("no hello naming %q within 15 s", want)
}

func TestRelayViewersFollowTheCodecChoiceThroughThePush(t *testing.T) {
	const publish = "relay-publish-token-0123456789"
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publish},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rl.Close)
	s := small()
	if s.Push, err = config.PushFromURL("ws://"+rl.Addr().String()+"/ingest/line", publish); err != nil {
		t.Fatal(err)
	}
	st := start(t, s, Deps{})
	var v *client.Viewer
	var hello protocol.Hello
	for until := time.Now().Add(15 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err = client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line/ws?token="+s.Token+"&codec=h264", nil)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(until) {
			t.Fatalf("no relay viewer: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // no event says the push has reached the relay
	}
	t.Cleanup(func() { v.Close() })
	if m, err := v.Next(10 * time.Second); err != nil || m.Event != "hello" || json.Unmarshal(m.Raw, &hello) != nil {
		t.Fatalf("first message %s: %v", m.Raw, err)
	}
	if hello.Codec != protocol.CodecStringH264 {
		codecAt(t, v, protocol.CodecStringH264) // once the relay has read the push's offer
	}
	frameIn(t, v, protocol.CodecH264)

	if _, err := st.Update(func(s *engine.Settings) { s.Codec = engine.CodecJPEG }); err != nil {
		t.Fatal(err)
	}
	codecAt(t, v, protocol.CodecJPEG)
	firstIn(t, v, "")

	if _, err := st.Update(func(s *engine.Settings) { s.Codec = engine.CodecAuto }); err != nil {
		t.Fatal(err)
	}
	codecAt(t, v, protocol.CodecStringH264)
	firstIn(t, v, protocol.CodecH264)
}
