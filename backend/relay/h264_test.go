package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// readAU reads an access unit of backend/ingest's test data: a 64×48
// keyframe (SPS, PPS, IDR) and the frame after it, as OpenH264 made them.
func readAU(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../ingest/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// h264Header is the header of frame seq of the 64×48 test data.
func h264Header(seq uint64, isKey bool) protocol.Header {
	return protocol.Header{Seq: seq, TS: time.Now().UnixMicro(), W: 64, H: 48, Codec: protocol.CodecH264, Key: isKey}
}

// dialH264 dials an H.264 viewer of stream name on rl.
func dialH264(t *testing.T, rl *Relay, name string) *client.Viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, wsBase(rl)+"/s/"+name+"/ws?token="+viewToken+"&codec=h264", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// feed reads v's frames, acking each, onto the channel it returns, until
// the viewer's connection ends.
func feed(v *client.Viewer) <-chan client.Message {
	frames := make(chan client.Message, 100)
	go func() {
		for {
			m, err := v.NextFrame(time.Minute)
			if err != nil {
				return
			}
			_ = v.Ack(m.Frame.Seq)
			frames <- m
		}
	}()
	return frames
}

// nextReply reads the relay's next control message to the producer that
// is not a viewer count or a list of what viewers take.
func nextReply(t *testing.T, prod *websocket.Conn) (string, string) {
	t.Helper()
	for {
		_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, reply, err := prod.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ Type, Error, Key string }
		if json.Unmarshal(reply, &m) != nil {
			t.Fatalf("reply %q is not JSON", reply)
		}
		if m.Type != protocol.TypeViewers && m.Type != protocol.TypeRenditions {
			return m.Type, m.Error + m.Key
		}
	}
}

// A producer's broken H.264 frames are refused, each saying why, and never
// reach a viewer: the viewer gets the good frames around them alone, and
// can decode on. The producer stays connected.
func TestBrokenH264FromAProducerIsRefusedAndNoViewerGetsIt(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	offer, _ := json.Marshal(protocol.NewRenditionsOffer(nil, []string{protocol.CodecH264}))
	if err := prod.WriteMessage(websocket.TextMessage, offer); err != nil {
		t.Fatal(err)
	}
	v := dialH264(t, rl, "cam")
	key, p := readAU(t, "key64x48.h264"), readAU(t, "p64x48.h264")
	// Joining, the viewer asked for a keyframe: the relay passes that on.
	if typ, k := nextReply(t, prod); typ != protocol.TypeKeyframe || k != "@h264" {
		t.Fatalf("the producer heard %s %q, want a keyframe request for @h264", typ, k)
	}
	frames := feed(v)
	got := func(seq uint64) {
		t.Helper()
		select {
		case m := <-frames:
			if m.Frame.Seq != seq {
				t.Fatalf("the viewer got frame %d, want %d: a refused frame reached it", m.Frame.Seq, seq)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("frame %d did not reach the viewer", seq)
		}
	}
	sendFrame(t, prod, h264Header(1, true), key)
	got(1)
	idr := bytes.Index(key, []byte{0, 0, 0, 1, 0x65})
	cases := []struct {
		name string
		h    protocol.Header
		au   []byte
		why  string
	}{
		{"a NAL unit cut short", h264Header(2, false), p[:5], "truncated"},
		{"no picture at all", h264Header(2, false), nil, "Annex B"},
		{"a picture over the size limit", h264Header(2, false), append(bytes.Clone(p), bytes.Repeat([]byte{0xFF}, 70<<10)...), "over the limit"},
		{"a keyframe said not to be one", h264Header(2, false), key, "key false"},
		{"a frame said to be a keyframe", h264Header(2, true), p, "key true"},
		{"a keyframe without its parameter sets", h264Header(2, true), key[idr:], "SPS and PPS"},
		{"a keyframe of another size than its header's", protocol.Header{Seq: 2, W: 1280, H: 720, Codec: protocol.CodecH264, Key: true}, key, "64x48"},
		{"a frame with no size in its header", protocol.Header{Seq: 2, Codec: protocol.CodecH264}, p, `"w", "h"`},
		{"a codec nobody offered", protocol.Header{Seq: 2, W: 64, H: 48, Codec: "h265"}, p, "codec"},
		{"a bitrate step nobody offered", protocol.Header{Seq: 2, W: 64, H: 48, Codec: protocol.CodecH264, Step: protocol.StepLow}, p, "not offered steps"},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			sendFrame(t, prod, c.h, c.au)
			if typ, why := nextReply(t, prod); typ != protocol.TypeError || !strings.Contains(why, c.why) {
				t.Fatalf("reply %s %q, want an error about %q", typ, why, c.why)
			}
		})
	}
	// The producer is still connected, and its next good frame is the
	// viewer's next: no refused one was passed on.
	sendFrame(t, prod, h264Header(3, false), p)
	got(3)
}

// A producer that has not offered H.264 cannot send it.
func TestH264FromAProducerThatDidNotOfferItIsRefused(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	sendFrame(t, prod, protocol.Header{Seq: 1, W: 64, H: 48, Codec: protocol.CodecH264, Key: true}, readAU(t, "key64x48.h264"))
	if typ, why := nextReply(t, prod); typ != protocol.TypeError || !strings.Contains(why, "not offered") {
		t.Fatalf("reply %s %q, want a refusal", typ, why)
	}
}

// In a cluster, a viewer on another relay than the producer's takes H.264:
// its hello names it (the holder's offer, from the table), its keyframe
// request reaches the producer through the holder, and the producer's
// H.264 frames reach it over the bus.
func TestAViewerOnAnotherRelayOfTheClusterGetsTheProducersH264(t *testing.T) {
	net := newBusNet()
	a := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("a", 1<<20) })
	b := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("b", 1<<20) })
	prod := produce(t, a, "line", viewToken)
	offer, _ := json.Marshal(protocol.NewRenditionsOffer(nil, []string{protocol.CodecH264}))
	if err := prod.WriteMessage(websocket.TextMessage, offer); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the codecs in the table", func() bool {
		e, ok := net.row("line")
		return ok && e.Relay == "a" && len(e.Codecs) == 1
	})
	v := dialH264(t, b, "line")
	m, err := v.Next(5 * time.Second)
	var hello protocol.Hello
	if err != nil || m.Event != "hello" || json.Unmarshal(m.Raw, &hello) != nil || hello.Codec != protocol.CodecStringH264 {
		t.Fatalf("first message %s: %v; want a hello naming H.264", m.Raw, err)
	}
	// The holder asks its producer for exactly what b's viewer takes, and
	// passes on the keyframe request b's viewer made joining.
	var wanted, asked bool
	for deadline := time.Now().Add(10 * time.Second); !wanted || !asked; {
		_ = prod.SetReadDeadline(deadline)
		_, msg, err := prod.ReadMessage()
		if err != nil {
			t.Fatalf("the producer was asked for H.264 %v, for a keyframe %v: %v", wanted, asked, err)
		}
		switch m, _ := protocol.ParseRelayMessage(msg); m := m.(type) {
		case protocol.RenditionsWant:
			wanted = m.Exact && strings.Join(m.Want, ",") == "@h264"
		case protocol.KeyframeWant:
			asked = asked || m.Key == "@h264"
		}
	}
	key, p := readAU(t, "key64x48.h264"), readAU(t, "p64x48.h264")
	// b subscribes to the H.264 subject after its next look at the table:
	// the producer sends until b's viewer has a keyframe and the frame after.
	frames := feed(v)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(15 * time.Second)
	for seq := uint64(1); ; seq += 2 {
		sendFrame(t, prod, h264Header(seq, true), key)
		sendFrame(t, prod, h264Header(seq+1, false), p)
		select {
		case m := <-frames:
			if !m.Frame.Key || !bytes.Equal(m.JPEG, key) {
				t.Fatalf("the first frame on b is %+v, want the producer's keyframe as it was", m.Frame)
			}
			select {
			case next := <-frames:
				if next.Frame.Seq != m.Frame.Seq+1 || !bytes.Equal(next.JPEG, p) {
					t.Fatalf("the frame after the keyframe: %+v", next.Frame)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the frame after the keyframe did not reach b's viewer")
			}
			return
		case <-deadline:
			t.Fatal("no H.264 frame reached the viewer on the other relay")
		case <-tick.C:
		}
	}
}

// Frames the bus dropped for a relay (it fell behind) are told as a nil
// message: its H.264 viewers then get nothing of that key until a
// keyframe, which is asked for, so none gets a frame it cannot decode.
func TestAfterFramesTheBusDroppedH264ResumesAtAKeyframe(t *testing.T) {
	net := newBusNet()
	b := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("b", 1<<20) })
	s := b.table.Open("line", viewToken)
	v := dialH264(t, b, "line")
	key, p := readAU(t, "key64x48.h264"), readAU(t, "p64x48.h264")
	wire := func(seq uint64, au []byte) []byte {
		msg, err := protocol.EncodeFrame(protocol.Header{Seq: seq, TS: time.Now().UnixMicro(), W: 64, H: 48,
			Codec: protocol.CodecH264, Key: bytes.Equal(au, key)}, au)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	next := func() uint64 {
		t.Helper()
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Ack(m.Frame.Seq)
		return m.Frame.Seq
	}
	waitFor(t, "the viewer", func() bool { return s.hub.Count() == 1 })
	// One at a time: a frame replacing one not yet sent is a skip too.
	s.publishRemote("@h264", wire(1, key))
	if got := next(); got != 1 {
		t.Fatalf("got frame %d, want 1", got)
	}
	s.publishRemote("@h264", wire(2, p))
	if got := next(); got != 2 {
		t.Fatalf("got frame %d, want 2", got)
	}
	s.hub.KeyMade("@h264", time.Now().Add(-time.Second)) // the joiner's request, answered
	s.publishRemote("@h264", nil)                        // the bus dropped frame 3
	s.publishRemote("@h264", wire(4, p))                 // cannot be decoded without 3
	if keys, _ := s.hub.KeysWanted(time.Now()); strings.Join(keys, ",") != "@h264" {
		t.Fatalf("keyframes asked for %v after a gap, want @h264", keys)
	}
	s.publishRemote("@h264", wire(5, key))
	if got := next(); got != 5 {
		t.Fatalf("after the gap the viewer got frame %d, want the keyframe 5", got)
	}
}
