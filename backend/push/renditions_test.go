package push

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/internal/testclip"
)

func TestAViewerOnTheRelayGetsTheRenditionItAsksForFromTheProducer(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 70, MaxWidth: 1280, MaxHeight: 720, FPS: 30, Enabled: true},
		engine.Deps{Hub: h, Renditions: protocol.DefaultRenditions()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	p, err := New(Config{URL: "ws://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken,
		Renditions: eng.Renditions}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dialRelay(t, rl.Addr().String()) // the stream is there
	// The push offers its ladder just after it connects: until the relay
	// has read it, 240p is refused with 400.
	var v *client.Viewer
	for until := time.Now().Add(15 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err = client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line/ws?token="+viewToken+"&rendition=240p", nil)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(until) {
			t.Fatalf("pinning 240p on the relay: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // no event says the relay has read the offer
	}
	defer v.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("no 240p frame through the relay: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
		if m.Frame.Rendition == "240p" && m.Frame.W == 426 && m.Frame.H == 240 {
			break
		}
	}
	if w := h.Taken(); !w["240p"] || len(w) != 2 {
		t.Fatalf("the producer encodes %v, want exactly 240p besides its own size", w)
	}
}

// When the local source changes to one too small for a rendition, the
// push tells the relay the new ladder, and the relay's viewer of that
// rendition is moved to the nearest one offered instead of freezing.
func TestARelayViewerOfARenditionTheNewSourceLacksIsMoved(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 70, MaxWidth: 1280, MaxHeight: 720, FPS: 30, Enabled: true},
		engine.Deps{Hub: h, Renditions: protocol.DefaultRenditions()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	p, err := New(Config{URL: "ws://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken,
		Renditions: eng.Renditions}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dialRelay(t, rl.Addr().String())
	var v *client.Viewer
	for until := time.Now().Add(15 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err = client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line/ws?token="+viewToken+"&rendition=360p", nil)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(until) {
			t.Fatalf("pinning 360p on the relay: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // no event says the relay has read the offer
	}
	defer v.Close()
	next := func(what string, ok func(client.Message) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			m, err := v.Next(time.Until(deadline))
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if m.Frame != nil {
				_ = v.Ack(m.Frame.Seq)
			}
			if ok(m) {
				return
			}
		}
	}
	next("a 360p frame", func(m client.Message) bool { return m.Frame != nil && m.Rendition == "360p" })
	clip := testclip.Write(t, 300, 30, 560, 320)
	if err := eng.Update(engine.Settings{Source: clip, Quality: 70, MaxWidth: 1280, MaxHeight: 720, FPS: 30, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	next("a hello saying 320p", func(m client.Message) bool {
		var hello protocol.Hello
		return m.Event == "hello" && json.Unmarshal(m.Raw, &hello) == nil && hello.Rendition == "320p"
	})
	next("a 560 wide frame", func(m client.Message) bool {
		return m.Frame != nil && m.Rendition == "" && m.Frame.W == 560
	})
}
