package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"
	"framecast/backend/relay"
	"framecast/internal/testnet"
	"framecast/internal/testproducer"
)

// A Go producer into serve's ingest source, as the Python client sends:
// the banner says where it connects (without the token), and a viewer
// gets its 720p frames at its rate, each with its boxes in the header.
func TestServeShowsAProducersFramesWithItsBoxes(t *testing.T) {
	addr := freeAddr(t)
	const token, publish = "serve-view-token-0123", "serve-publish-token-0123"
	_, out := startServe(t, "--source", "ingest", "--publish-token", publish, "--addr", addr, "--token", token)
	banner := out.String()
	if want := "ws://" + addr + "/ingest/framecast?token=<publish token>"; !strings.Contains(banner, want) {
		t.Fatalf("the banner does not say %s:\n%s", want, banner)
	}
	if strings.Contains(banner, publish) {
		t.Fatalf("the banner prints the publish token:\n%s", banner)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+addr+"/ws?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// NO SIGNAL until the producer comes.
	if m, err := v.NextFrame(10 * time.Second); err != nil || !m.Frame.Placeholder {
		t.Fatalf("first frame %+v (%v), want NO SIGNAL", m.Frame, err)
	}

	p, resp, err := testproducer.Dial("ws://" + addr + "/ingest/framecast?token=" + publish + "&view=" + token)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	boxes := []protocol.Detection{{Label: "person", Score: 0.91, Box: [4]int{100, 120, 200, 300}}, {Label: "dog", Score: 0.6, Box: [4]int{700, 400, 150, 100}}}
	picture := testproducer.Picture(t, 1280, 720)
	stop, sent := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for {
			if p.Send(picture, 1280, 720, boxes) != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	defer func() { close(stop); <-sent }()

	for {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatalf("no frame of the producer: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
		if !m.Frame.Placeholder {
			break
		}
	}
	const window = 5 * time.Second
	frames, start := 0, time.Now()
	for time.Since(start) < window {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Ack(m.Frame.Seq)
		h := m.Frame
		if h.Placeholder || h.W != 1280 || h.H != 720 || !slices.Equal(h.Detections, boxes) {
			t.Fatalf("frame %d: %dx%d placeholder %v detections %v, want the producer's 1280x720 with %v",
				h.Seq, h.W, h.H, h.Placeholder, h.Detections, boxes)
		}
		frames++
	}
	fps := float64(frames) / time.Since(start).Seconds()
	state := ""
	if resp, err := http.Get("http://" + addr + "/api/state?token=" + token); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		state = string(b)
	}
	t.Logf("a viewer of serve's ingest source: %d frames of 1280x720 in %v, %.1f fps; serve's state: %s", frames, window, fps, state)
	// The target, 25 fps or more at 720p, is the bench's (docs/PERFORMANCE.md,
	// on a quiet machine); here, on a machine that may be busy, the frames
	// must flow.
	if fps < 10 {
		t.Fatalf("%.1f fps, want the producer's frames to flow (at least 10)", fps)
	}
}

func TestServePushesAProducersFramesWithItsBoxesToARelay(t *testing.T) {
	const publish, token = "serve-publish-token-0123", "serve-view-token-0123"
	// One flag is both: the producer's token on serve and serve's on the
	// relay.
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publish},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	addr := freeAddr(t)
	_, out := startServe(t, "--source", "ingest", "--publish-token", publish, "--addr", addr, "--token", token,
		"--push", "ws://"+rl.Addr().String()+"/ingest/line1")
	testnet.WaitFor(t, 30*time.Second, "the push", func() bool { return strings.Contains(out.String(), "Pushing to the relay") })

	p, resp, err := testproducer.Dial("ws://" + addr + "/ingest/framecast?token=" + publish)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	boxes := []protocol.Detection{{Label: "person", Score: 0.91, Box: [4]int{100, 120, 200, 300}}}
	picture := testproducer.Picture(t, 640, 360)
	stop, sent := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for p.Send(picture, 640, 360, boxes) == nil {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	defer func() { close(stop); <-sent }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line1/ws?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	boxed, deadline := 0, time.Now().Add(60*time.Second)
	for boxed < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("the relay's viewer got %d frames with the producer's box in 60 s", boxed)
		}
		m, err := v.NextFrame(20 * time.Second)
		if err != nil {
			t.Fatalf("the relay's viewer: %v (after %d frames with the producer's box)", err, boxed)
		}
		_ = v.Ack(m.Frame.Seq)
		if !m.Frame.Placeholder && slices.Equal(m.Frame.Detections, boxes) {
			boxed++
		}
	}
}
