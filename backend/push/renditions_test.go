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
	"framecast/backend/relay"
	"framecast/internal/testclip"
)

// pushRenditions starts a relay and a test pattern at 1280×720 with the
// default renditions pushed to it as stream "line"; it returns once the
// stream is on the relay.
func pushRenditions(t *testing.T) (*relay.Relay, *hub.Hub, *engine.Engine) {
	t.Helper()
	rl := startRelay(t, "127.0.0.1:0")
	t.Cleanup(rl.Close)
	h, eng := ladderEngine(t, 1280, 720)
	p, err := New(Config{URL: "ws://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken,
		Renditions: eng.Renditions}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	dialRelay(t, rl.Addr().String()) // the stream is there
	return rl, h, eng
}

// ladderEngine is a local stream of the test pattern at w×h, 30 fps,
// offering the default renditions.
func ladderEngine(t *testing.T, w, h int) (*hub.Hub, *engine.Engine) {
	t.Helper()
	hb := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 70, MaxWidth: w, MaxHeight: h, FPS: 30, Enabled: true},
		engine.Deps{Hub: hb, Renditions: protocol.DefaultRenditions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return hb, eng
}

// pinOnRelay dials a viewer of stream "line" on the relay at addr pinned
// to rendition name. The push offers its ladder just after it connects:
// until the relay has read it, the rendition is refused with 400.
func pinOnRelay(t *testing.T, addr, name string) *client.Viewer {
	t.Helper()
	for until := time.Now().Add(15 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err := client.Dial(ctx, "ws://"+addr+"/s/line/ws?token="+viewToken+"&rendition="+name, nil)
		cancel()
		if err == nil {
			t.Cleanup(func() { _ = v.Close() })
			return v
		}
		if time.Now().After(until) {
			t.Fatalf("pinning %s on the relay: %v", name, err)
		}
		time.Sleep(20 * time.Millisecond) // no event says the relay has read the offer
	}
}

func TestAViewerOnTheRelayGetsTheRenditionItAsksForFromTheProducer(t *testing.T) {
	rl, h, _ := pushRenditions(t)
	v := pinOnRelay(t, rl.Addr().String(), "240p")
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
	rl, _, eng := pushRenditions(t)
	v := pinOnRelay(t, rl.Addr().String(), "360p")
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
