package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/internal/testclip"
)

// startH264Stream is startStream for a stream whose engine makes H.264.
func startH264Stream(t *testing.T) *stream {
	t.Helper()
	s := smallSettings()
	s.MaxWidth, s.MaxHeight = 640, 360
	return startStreamOf(t, s, engine.Deps{Renditions: protocol.DefaultRenditions()}, Deps{H264: func() bool { return true }})
}

// dialCodec dials a viewer with extra query parameters and returns it with
// its hello.
func dialCodec(t *testing.T, s *stream, query string) (*client.Viewer, protocol.Hello) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, s.wsURL(token)+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	m, err := v.Next(10 * time.Second)
	if err != nil || m.Event != "hello" {
		t.Fatalf("first message %q: %v", m.Event, err)
	}
	var hello protocol.Hello
	if err := json.Unmarshal(m.Raw, &hello); err != nil {
		t.Fatal(err)
	}
	return v, hello
}

// decodes fails the test unless ffmpeg decodes the access units a viewer
// got without an error and counts n frames.
func decodes(t *testing.T, units [][]byte, n int) {
	t.Helper()
	if got := testclip.ProbeH264(t, units...); got["nb_read_frames"] != strconv.Itoa(n) {
		t.Fatalf("ffprobe says %v, want %d frames", got, n)
	}
}

func TestAnH264ViewerStartsAtAKeyframeAndGetsEveryFrameDecodable(t *testing.T) {
	s := startH264Stream(t)
	v, hello := dialCodec(t, s, "&codec=h264")
	if hello.Codec != protocol.CodecStringH264 {
		t.Fatalf("hello says codec %q, want %q", hello.Codec, protocol.CodecStringH264)
	}
	jpeg, jhello := dialCodec(t, s, "")
	if jhello.Codec != protocol.CodecJPEG {
		t.Fatalf("a JPEG viewer's hello says codec %q", jhello.Codec)
	}
	var units [][]byte
	for i := range 40 {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if m.Frame.Codec != protocol.CodecH264 || i == 0 && !m.Frame.Key {
			t.Fatalf("frame %d: codec %q key %v; the first must be a keyframe", i, m.Frame.Codec, m.Frame.Key)
		}
		units = append(units, append([]byte(nil), m.JPEG...))
		_ = v.Ack(m.Frame.Seq)
		if i%10 == 0 { // the JPEG viewer beside it keeps getting JPEG
			jm, err := jpeg.NextFrame(10 * time.Second)
			if err != nil || jm.Frame.Codec != "" {
				t.Fatalf("the JPEG viewer got codec %q: %v", jm.Frame.Codec, err)
			}
			decodeJPEG(t, jm.JPEG)
			_ = jpeg.Ack(jm.Frame.Seq)
		}
	}
	decodes(t, units, 40)
}

func TestAnH264ViewerThatSkippedFramesResumesAtAKeyframe(t *testing.T) {
	s := startH264Stream(t)
	v, _ := dialCodec(t, s, "&codec=h264")
	var units [][]byte
	var seqs []uint64
	var keys []bool
	take := func(n int) {
		for range n {
			m, err := v.NextFrame(10 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			units = append(units, append([]byte(nil), m.JPEG...))
			seqs, keys = append(seqs, m.Frame.Seq), append(keys, m.Frame.Key)
			_ = v.Ack(m.Frame.Seq)
		}
	}
	take(10)
	// Neither read nor ack for a while: the server's window fills, and
	// newer frames replace each other in the mailbox (skipped).
	time.Sleep(time.Second)
	take(30)
	// Of two frames in a row one is referred to by later frames (two
	// temporal layers): after a gap of more than one frame, only a
	// keyframe can be decoded. A gap of one may be a frame none refers to.
	gaps := 0
	for i := 1; i < len(seqs); i++ {
		if seqs[i] > seqs[i-1]+2 {
			gaps++
			if !keys[i] {
				t.Fatalf("frame %d came after a gap (seq %d after %d) and is no keyframe: it cannot be decoded", i, seqs[i], seqs[i-1])
			}
		}
	}
	if gaps == 0 {
		t.Fatal("no frames were skipped while the viewer did not read: the test tested nothing")
	}
	decodes(t, units, len(units))
}

func TestAViewerWhoseDecoderFailedGetsAKeyframeWhenItAsks(t *testing.T) {
	s := startH264Stream(t)
	v, _ := dialCodec(t, s, "&codec=h264")
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
	// frames away: one within 10 frames came because it was asked for.
	for range 65 {
		next()
	}
	if err := v.RequestKey(); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if next().Key {
			return
		}
	}
	t.Fatal("no keyframe within 10 frames of the viewer's request")
}

func TestACodecIsRefusedOrReplacedWhereItCannotBeServed(t *testing.T) {
	s := startH264Stream(t)
	for _, q := range []string{"&codec=vp9", "&codec=h264&format=dataurl"} {
		resp := get(t, s.base+"/ws?token="+token+q, http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400", q, resp.StatusCode)
		}
	}
	// A stream that makes no H.264 (a relay's, today) serves JPEG and says so.
	plain := startStream(t, smallSettings())
	v, hello := dialCodec(t, plain, "&codec=h264")
	if hello.Codec != protocol.CodecJPEG {
		t.Fatalf("hello says %q, want jpeg", hello.Codec)
	}
	m, err := v.NextFrame(10 * time.Second)
	if err != nil || m.Frame.Codec != "" {
		t.Fatalf("frame codec %q: %v", m.Frame.Codec, err)
	}
}

func TestAnH264ViewerOnASlowLinkStepsToALowerBitrateThenASmallerSizeAndEveryFrameItGetsDecodes(t *testing.T) {
	srv, _ := renditionStreamH264(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The test pattern in H.264 at 720p takes about 1 Mbit/s, and half as
	// much at its lower step: a link of 300 kbit/s carries neither.
	v, err := client.DialWith(ctx, "ws://"+srv.Addr().String()+"/ws?token="+token+"&codec=h264", client.DialOptions{LinkBps: 300_000})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// A step is one key's frames in a row: a rendition at a bitrate.
	type step struct {
		rendition string
		bitrate   int
		units     [][]byte
	}
	var steps []*step
	var prev *protocol.Header
	deadline := time.Now().Add(30 * time.Second)
	smaller := -1 // frames got when the first smaller size came
	n := 0
	for time.Now().Before(deadline) && (smaller < 0 || n < smaller+30) {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("after %d frames: %v", n, err)
		}
		_ = v.Ack(m.Frame.Seq)
		f := m.Frame
		switch {
		case n == 0 && !f.Key:
			t.Fatal("the first frame is no keyframe")
		case prev != nil && (f.Rendition != prev.Rendition || f.Bitrate != prev.Bitrate) && !f.Key:
			t.Fatalf("frame %d is the first of %q at %d bit/s and no keyframe: it cannot be decoded", n, f.Rendition, f.Bitrate)
		case f.Bitrate <= 0:
			t.Fatalf("frame %d says no bitrate", n)
		}
		if prev == nil || f.Rendition != prev.Rendition || f.Bitrate != prev.Bitrate {
			steps = append(steps, &step{rendition: f.Rendition, bitrate: f.Bitrate})
		}
		s := steps[len(steps)-1]
		s.units = append(s.units, append([]byte(nil), m.JPEG...))
		if smaller < 0 && f.Rendition != "" {
			smaller = n
		}
		prev = f
		n++
	}
	if smaller < 0 || len(steps) < 3 {
		t.Fatalf("on a 300 kbit/s link the viewer took %d steps and stayed at the full size for %d frames", len(steps), n)
	}
	if steps[0].rendition != "" || steps[1].rendition != "" || steps[1].bitrate != steps[0].bitrate/2 {
		t.Fatalf("the viewer went from %q at %d bit/s to %q at %d bit/s: want the same size at half the bitrate first",
			steps[0].rendition, steps[0].bitrate, steps[1].rendition, steps[1].bitrate)
	}
	// Each step's frames are one stream that decodes, gaps and all: a gap
	// goes on without a keyframe only after frames no other refers to.
	for _, s := range steps {
		decodes(t, s.units, len(s.units))
	}
}

func TestAnH264ViewerThatTakesHalfTheFramesDecodesOnWithoutWaitingForKeyframes(t *testing.T) {
	s := startH264Stream(t)
	v, _ := dialCodec(t, s, "&codec=h264&rendition=360p")
	type got struct {
		seq     uint64
		key     bool
		bitrate int
		unit    []byte
	}
	var frames []got
	for range 60 {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, got{m.Frame.Seq, m.Frame.Key, m.Frame.Bitrate, append([]byte(nil), m.JPEG...)})
		// A viewer that shows about 14 frames a second of the stream's 30:
		// the frames no other refers to are the ones it skips.
		time.Sleep(70 * time.Millisecond)
		_ = v.Ack(m.Frame.Seq)
	}
	resumed := 0 // gaps after which a frame that is no keyframe came
	var units [][]byte
	for i, f := range frames {
		if i > 0 && f.bitrate != frames[i-1].bitrate { // the pinned size's lower step: a stream of its own
			decodes(t, units, len(units))
			units = nil
		}
		units = append(units, f.unit)
		if i > 0 && f.seq != frames[i-1].seq+1 && !f.key && f.bitrate == frames[i-1].bitrate {
			resumed++
		}
	}
	decodes(t, units, len(units)) // every frame got decodes, gaps and all
	if resumed < 3 {
		t.Fatalf("after only %d of its gaps did the viewer go on without a keyframe", resumed)
	}
}
