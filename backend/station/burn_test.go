package station

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// faceColoured counts the pixels of a picture near the colour face boxes
// are drawn in (#22d3ee), which gocv's face photo has none of.
func faceColoured(t *testing.T, b []byte) int {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 0x22) && near(g>>8, 0xd3) && near(bl>>8, 0xee) {
				n++
			}
		}
	}
	return n
}

func near(v, want uint32) bool { return v+50 >= want && v <= want+50 }

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
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+base+"/stream.mjpg?token="+s.Token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("MJPEG: %v %v", resp, err)
	}
	defer resp.Body.Close()
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	parts := multipart.NewReader(resp.Body, params["boundary"])

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
	if n := faceColoured(t, ws.JPEG); n > 20 {
		t.Fatalf("the WebSocket picture has %d pixels of the box colour: the boxes were burned in", n)
	}

	burned := 0
	for i := 0; i < 20 && burned < 200; i++ { // the first parts may come before a face is found
		part, err := parts.NextPart()
		if err != nil {
			t.Fatalf("MJPEG part: %v", err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(part); err != nil {
			t.Fatal(err)
		}
		burned = faceColoured(t, buf.Bytes())
	}
	if burned < 200 {
		t.Fatalf("the MJPEG picture has %d pixels of the box colour, want the boxes drawn in", burned)
	}

	snap, err := http.Get("http://" + base + "/snapshot.jpg?token=" + s.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(snap.Body); err != nil {
		t.Fatal(err)
	}
	if n := faceColoured(t, buf.Bytes()); n < 200 {
		t.Fatalf("the snapshot has %d pixels of the box colour, want the boxes drawn in", n)
	}
}
