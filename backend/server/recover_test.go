package server

import (
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// waitState waits for a hub to reach state.
func waitState(t *testing.T, h *hub.Hub, state string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for h.Status().State != state {
		if time.Now().After(deadline) {
			t.Fatalf("state %q after %v, want %q (%s)", h.Status().State, within, state, h.Status().Reason)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An HTTP source that goes away (another Framecast's MJPEG stream, read by
// OpenCV through FFmpeg) shows NO SIGNAL, then recovers by itself when the
// stream comes back on the same address.
func TestAnHTTPSourceThatDropsShowsNoSignalAndRecovers(t *testing.T) {
	upstream := startStream(t, smallSettings())
	addr := upstream.srv.Addr().String()
	set := smallSettings()
	set.Source = upstream.base + "/stream.mjpg?token=" + token
	down := startStream(t, set)
	v := down.dial(t)
	m, err := v.NextFrame(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = v.Ack(m.Frame.Seq)
	waitState(t, down.hub, protocol.StateLive, 5*time.Second)

	upstream.srv.Close()
	upstream.eng.Close()
	waitState(t, down.hub, protocol.StateNoSignal, 10*time.Second)
	// The viewer stays connected and gets the NO SIGNAL placeholder.
	for i := 0; i < 2; i++ {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("viewer lost during NO SIGNAL: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
	}

	h := hub.New()
	eng, err := engine.New(smallSettings(), engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	again, err := New(Config{Addr: addr, Token: token}, Deps{Hub: h, Stream: eng})
	if err != nil {
		t.Fatalf("restart upstream on %s: %v", addr, err)
	}
	defer again.Close()
	waitState(t, down.hub, protocol.StateLive, 20*time.Second)
	for i := 0; i < 30; i++ {
		m, err = v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("after recovery: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
	}
	if st := down.hub.Status(); st.State != protocol.StateLive {
		t.Fatalf("state %q after 30 frames from the recovered source, want live", st.State)
	}
}
