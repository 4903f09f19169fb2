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
	gaps := 0
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			gaps++
			if !keys[i] {
				t.Fatalf("frame %d came after a gap (seq %d after %d) and is no keyframe: it cannot be decoded", i, seqs[i], seqs[i-1])
			}
		}
	}
	if gaps == 0 {
		t.Fatal("no frame was skipped while the viewer did not read: the test tested nothing")
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

func TestAnH264ViewerOnASlowLinkMovesDownAndEveryFrameItGetsDecodes(t *testing.T) {
	srv, _ := renditionStreamH264(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The test pattern in H.264 at 720p takes about 1 Mbit/s: a link of
	// 300 kbit/s cannot carry it.
	v, err := client.DialWith(ctx, "ws://"+srv.Addr().String()+"/ws?token="+token+"&codec=h264", client.DialOptions{LinkBps: 300_000})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	type got struct {
		seq       uint64
		key       bool
		rendition string
	}
	var frames []got
	var units [][]byte
	deadline := time.Now().Add(20 * time.Second)
	moved := -1
	for time.Now().Before(deadline) && (moved < 0 || len(frames) < moved+30) {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("after %d frames: %v", len(frames), err)
		}
		_ = v.Ack(m.Frame.Seq)
		frames = append(frames, got{m.Frame.Seq, m.Frame.Key, m.Frame.Rendition})
		if moved < 0 && m.Frame.Rendition != "" {
			moved = len(frames) - 1
		}
		if m.Frame.Rendition == frames[0].rendition { // one rendition's stream is one decodable file
			units = append(units, append([]byte(nil), m.JPEG...))
		}
	}
	if moved < 0 {
		t.Fatalf("on a 300 kbit/s link the viewer stayed at the full size for %d frames", len(frames))
	}
	for i, f := range frames {
		switch {
		case i == 0 && !f.key:
			t.Fatal("the first frame is no keyframe")
		case i > 0 && f.rendition != frames[i-1].rendition && !f.key:
			t.Fatalf("frame %d is the first of rendition %q and no keyframe: it cannot be decoded", i, f.rendition)
		case i > 0 && f.seq != frames[i-1].seq+1 && !f.key:
			t.Fatalf("frame %d came after a gap (seq %d after %d) and is no keyframe", i, f.seq, frames[i-1].seq)
		}
	}
	decodes(t, units, len(units))
}
