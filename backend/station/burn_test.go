package station

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// With faces,overlay a WebSocket viewer gets the clean picture and the
// detections (it draws them, and its Boxes button hides them), while MJPEG
// and snapshot clients, which cannot draw, get the boxes drawn in: each box
// was drawn twice in the page, and stayed with Boxes off.
func TestBoxesAreBurnedInOnlyForClientsThatCannotDrawThem(t *testing.T) {
	s := small()
	s.Stream.Source = filepath.Join("..", "vision", "testdata", "face.jpg")
	s.Stream.MaxWidth, s.Stream.MaxHeight, s.Stream.FPS = 1280, 720, 10
	chain, err := vision.ParseChain("faces,overlay")
	if err != nil {
		t.Fatal(err)
	}
	s.Stream.Process = chain
	st := start(t, s, Deps{Renditions: protocol.DefaultRenditions()})
	base := fmt.Sprintf("127.0.0.1:%d", st.Port())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	parts := mjpegParts(ctx, t, "http://"+base+"/stream.mjpg?token="+s.Token)

	v, err := client.Dial(ctx, "ws://"+base+"/ws?token="+s.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var ws client.Message
	for deadline := time.Now().Add(15 * time.Second); ; {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("no WebSocket frame with a face: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
		if len(m.Frame.Detections) > 0 {
			ws = m
			break
		}
	}
	if n := coloured(t, ws.JPEG, faceColour); n > 20 {
		t.Fatalf("the WebSocket picture has %d pixels of the box colour: the boxes were burned in", n)
	}

	// The first parts may come before a face is found.
	burnedParts(t, parts, 20, 200, faceColour)
	burnedSnapshot(t, "http://"+base+"/snapshot.jpg?token="+s.Token, 200, faceColour)
}
