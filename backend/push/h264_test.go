package push

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/relay"
	"framecast/internal/testclip"
	"framecast/internal/testnet"
)

// pushH264 starts a relay and a test pattern at 640×360 pushed to it as
// stream "line" by a producer that offers H.264 (codecs says; nil: one
// that does not), and returns once the stream is on the relay.
func pushH264(t *testing.T, codecs []string) (*relay.Relay, *hub.Hub) {
	t.Helper()
	rl := startRelay(t, "127.0.0.1:0")
	t.Cleanup(rl.Close)
	h, eng := ladderEngine(t, 640, 360)
	t.Cleanup(startPush(t, rl, h, eng, codecs).Close)
	dialRelay(t, rl.Addr().String()) // the stream is there
	return rl, h
}

// startPush pushes the engine's stream to rl as "line", offering codecs.
func startPush(t *testing.T, rl *relay.Relay, h *hub.Hub, eng *engine.Engine, codecs []string) *Pusher {
	t.Helper()
	cfg := Config{URL: "ws://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken,
		Renditions: eng.Renditions}
	if codecs != nil {
		cfg.Codecs, cfg.Steps = func() []string { return codecs }, eng.BitrateSteps()
	}
	p, err := New(cfg, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dialH264 dials a viewer of "line" on the relay asking for H.264, and
// returns it with the codec its hello names. A rendition (in query) is
// refused until the relay has read the producer's offer.
func dialH264(t *testing.T, addr, query string) (*client.Viewer, string) {
	t.Helper()
	for until := time.Now().Add(15 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err := client.Dial(ctx, "ws://"+addr+"/s/line/ws?token="+viewToken+"&codec=h264"+query, nil)
		cancel()
		if err == nil {
			t.Cleanup(func() { _ = v.Close() })
			return v, nextHello(t, v).Codec
		}
		if time.Now().After(until) {
			t.Fatalf("dialling an H.264 viewer on the relay: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // no event says the relay has read the offer
	}
}

func nextHello(t *testing.T, v *client.Viewer) protocol.Hello {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; {
		m, err := v.Next(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for a hello: %v", err)
		}
		if m.Frame != nil {
			_ = v.Ack(m.Frame.Seq)
		}
		var hello protocol.Hello
		if m.Event == "hello" && json.Unmarshal(m.Raw, &hello) == nil {
			return hello
		}
	}
}

// A relay viewer asking for H.264 gets the producer's H.264 as it was
// encoded, from a keyframe on, every frame decodable; and the producer
// encodes no JPEG for the relay while nobody there takes JPEG, then does
// while a snapshot is taken.
func TestARelayViewerGetsTheProducersH264AndNoJPEGIsMadeForIt(t *testing.T) {
	rl, h := pushH264(t, []string{protocol.CodecH264})
	v, codec := dialH264(t, rl.Addr().String(), "&rendition=360p")
	if codec != protocol.CodecStringH264 {
		t.Fatalf("hello says codec %q, want %q", codec, protocol.CodecStringH264)
	}
	var units [][]byte
	for i := range 45 {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if m.Frame.Codec != protocol.CodecH264 || i == 0 && !m.Frame.Key || m.Frame.W != 640 {
			t.Fatalf("frame %d: codec %q key %v width %d; the first must be a 640 wide keyframe", i, m.Frame.Codec, m.Frame.Key, m.Frame.W)
		}
		units = append(units, append([]byte(nil), m.JPEG...))
		_ = v.Ack(m.Frame.Seq)
	}
	if got := testclip.ProbeH264(t, units...); got["nb_read_frames"] != strconv.Itoa(len(units)) {
		t.Fatalf("ffprobe says %v, want %d frames", got, len(units))
	}
	onlyH264 := func() bool { w := h.Taken(); return w["@h264"] && !w[""] }
	testnet.WaitUntil(t, "the producer encoding H.264 alone for the relay", onlyH264)

	// A snapshot on the relay is a JPEG: the producer is asked for it.
	resp, err := http.Get("http://" + rl.Addr().String() + "/s/line/snapshot.jpg?token=" + viewToken)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) < 3 || body[0] != 0xFF || body[1] != 0xD8 {
		t.Fatalf("snapshot: status %d, %d bytes", resp.StatusCode, len(body))
	}
	testnet.WaitUntil(t, "the producer stopping JPEG after the snapshot", onlyH264)
}

// A relay viewer's keyframe request (its decoder failed) reaches the
// producer's encoder through the relay.
func TestARelayViewersKeyframeRequestReachesTheProducer(t *testing.T) {
	rl, _ := pushH264(t, []string{protocol.CodecH264})
	v, _ := dialH264(t, rl.Addr().String(), "")
	next := func() *protocol.Header {
		t.Helper()
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Ack(m.Frame.Seq)
		return m.Frame
	}
	// Past the periodic keyframe (every 60 frames), so the next is 60
	// frames away: one within 15 frames came because it was asked for.
	for range 65 {
		next()
	}
	if err := v.RequestKey(); err != nil {
		t.Fatal(err)
	}
	for range 15 {
		if next().Key {
			return
		}
	}
	t.Fatal("no keyframe within 15 frames of the relay viewer's request")
}

// A producer that offers no H.264 (one from before it, or the Python
// client's JPEG) gives H.264 viewers JPEG, as their hello says. When it is
// replaced by one that offers H.264 (an upgrade) a viewer who asked for
// H.264 is moved to it, and back to JPEG when an older one comes again.
func TestAViewerAskingForH264GetsItWhileTheProducerOffersIt(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	t.Cleanup(rl.Close)
	h, eng := ladderEngine(t, 640, 360)
	p := startPush(t, rl, h, eng, nil)
	defer func() { p.Close() }()
	dialRelay(t, rl.Addr().String())
	// Until the producer's first frame says it offered no codecs, the
	// relay promises H.264: a hello naming JPEG follows that frame.
	v, codec := dialH264(t, rl.Addr().String(), "")
	for deadline := time.Now().Add(15 * time.Second); codec != protocol.CodecJPEG; codec = nextHello(t, v).Codec {
		if time.Now().After(deadline) {
			t.Fatal("no hello says jpeg while the producer offers no H.264")
		}
	}
	frameIn := func(codec string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; {
			m, err := v.NextFrame(time.Until(deadline))
			if err != nil {
				t.Fatalf("waiting for a frame in %q: %v", codec, err)
			}
			_ = v.Ack(m.Frame.Seq)
			if m.Frame.Codec == codec {
				return
			}
		}
	}
	frameIn("")
	for _, next := range []struct {
		codecs      []string
		hello, want string
	}{
		{[]string{protocol.CodecH264}, protocol.CodecStringH264, protocol.CodecH264},
		{nil, protocol.CodecJPEG, ""},
	} {
		p.Close()
		p = startPush(t, rl, h, eng, next.codecs)
		// Attaching, the new producer has offered nothing yet: a hello
		// may come before the one that says what it offers.
		for deadline := time.Now().Add(15 * time.Second); nextHello(t, v).Codec != next.hello; {
			if time.Now().After(deadline) {
				t.Fatalf("after the producer changed, no hello says codec %q", next.hello)
			}
		}
		frameIn(next.want)
	}
}

// A relay viewer on a slow link steps first to the producer's lower
// bitrate of its size, as a viewer of serve does, then to a smaller size;
// every step starts at a keyframe and decodes.
func TestARelayH264ViewerOnASlowLinkStepsToTheProducersLowerBitrateFirst(t *testing.T) {
	rl, _ := pushH264(t, []string{protocol.CodecH264})
	var v *client.Viewer
	// The producer offers its ladder, with steps, just after it connects.
	testnet.WaitUntil(t, "the relay offering the producer's bitrate steps", func() bool {
		resp, err := http.Get("http://" + rl.Addr().String() + "/s/line/api/state?token=" + viewToken)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	// The test pattern at 640×360 in H.264 takes about 300 kbit/s, half
	// that at its lower step: a link of 100 kbit/s carries neither.
	for until := time.Now().Add(15 * time.Second); v == nil; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := client.DialWith(ctx, "ws://"+rl.Addr().String()+"/s/line/ws?token="+viewToken+"&codec=h264", client.DialOptions{LinkBps: 100_000})
		cancel()
		if err == nil {
			v = c
		} else if time.Now().After(until) {
			t.Fatal(err)
		}
	}
	defer v.Close()
	type step struct {
		rendition, step string
		units           [][]byte
	}
	var steps []*step
	var prev *protocol.Header
	for deadline := time.Now().Add(40 * time.Second); len(steps) < 3; {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("after %d steps: %v", len(steps), err)
		}
		_ = v.Ack(m.Frame.Seq)
		f := m.Frame
		if prev == nil || f.Rendition != prev.Rendition || f.Step != prev.Step {
			if !f.Key {
				t.Fatalf("the first frame of %q step %q is no keyframe", f.Rendition, f.Step)
			}
			steps = append(steps, &step{rendition: f.Rendition, step: f.Step})
		}
		s := steps[len(steps)-1]
		s.units = append(s.units, append([]byte(nil), m.JPEG...))
		prev = f
	}
	if steps[0].step != "" || steps[1].rendition != steps[0].rendition || steps[1].step != protocol.StepLow {
		t.Fatalf("the relay viewer went from %q %q to %q %q: want its size at the lower step first",
			steps[0].rendition, steps[0].step, steps[1].rendition, steps[1].step)
	}
	for _, s := range steps[:2] {
		if got := testclip.ProbeH264(t, s.units...); got["nb_read_frames"] != strconv.Itoa(len(s.units)) {
			t.Fatalf("step %q %q: ffprobe says %v, want %d frames", s.rendition, s.step, got, len(s.units))
		}
	}
}
