package station

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/record"
	"framecast/internal/testnet"
	"framecast/internal/testproducer"
)

const ingestToken = "ingest-publish-token-0123"

// ingestCamera is a stream whose source is a producer's frames, at 720p.
func ingestCamera() config.Camera {
	s := engine.DefaultSettings()
	s.Source = "ingest"
	return config.Camera{Name: "line", Stream: s, Token: "station-token-0123456789", PublishToken: ingestToken}
}

// startIngest serves a station as a site would: its producer at
// /ingest/<name>, its viewers at the root.
func startIngest(t *testing.T, c config.Camera, d Deps) (*Station, string) {
	t.Helper()
	d.Assets = fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}
	var srv *httptest.Server
	d.URLs = func(path, token string) []string {
		return []string{srv.URL + path + "?" + url.Values{"token": {token}}.Encode()}
	}
	st, err := New(c, d)
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/ingest/") {
			st.IngestHandler().ServeHTTP(w, r)
			return
		}
		st.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { st.Close(); srv.Close() })
	return st, strings.TrimPrefix(srv.URL, "http://")
}

// sendAt sends picture (w×h) with dets at fps until stop is closed; done
// is closed when it has stopped.
func sendAt(p *testproducer.Producer, picture []byte, w, h, fps int, dets []protocol.Detection, stop <-chan struct{}) (done chan struct{}) {
	done = make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second / time.Duration(fps))
		defer t.Stop()
		for {
			if p.Send(picture, w, h, dets) != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return done
}

// nextPlaceholder reads frames until a NO SIGNAL one, and returns it.
func nextPlaceholder(t *testing.T, v *client.Viewer, within time.Duration) *protocol.Header {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("no NO SIGNAL frame within %v: %v", within, err)
		}
		_ = v.Ack(m.Frame.Seq)
		if m.Frame.Placeholder {
			return m.Frame
		}
	}
}

var personBox = []protocol.Detection{{Label: "person", Score: 0.87, Box: [4]int{400, 200, 300, 260}}}

// A producer's stream: NO SIGNAL, saying why, until it connects; then its
// 720p frames, each with the producer's boxes; NO SIGNAL again once it
// leaves.
func TestAnIngestStreamShowsTheProducersFramesAndNoSignalWithoutIt(t *testing.T) {
	st, host := startIngest(t, ingestCamera(), Deps{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+host+"/ws?token="+ingestCamera().Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	nextPlaceholder(t, v, 10*time.Second)
	if s := st.Hub().Status(); s.State != protocol.StateNoSignal || !strings.Contains(s.Reason, "waiting for the producer") {
		t.Fatalf("status %+v, want no-signal waiting for the producer", s)
	}

	p, resp, err := testproducer.Dial("ws://" + host + "/ingest/line?token=" + ingestToken)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	picture := testproducer.Picture(t, 1280, 720)
	stop := make(chan struct{})
	sent := sendAt(p, picture, 1280, 720, 30, personBox, stop)
	// The first real frame, then 3 s of them.
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
	const window = 3 * time.Second
	frames, start := 0, time.Now()
	for time.Since(start) < window {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Ack(m.Frame.Seq)
		h := m.Frame
		if h.Placeholder || h.W != 1280 || h.H != 720 {
			t.Fatalf("frame %d: %dx%d placeholder %v, want the producer's 1280x720", h.Seq, h.W, h.H, h.Placeholder)
		}
		if !slices.Equal(h.Detections, personBox) {
			t.Fatalf("frame %d has detections %v, want the producer's %v", h.Seq, h.Detections, personBox)
		}
		frames++
	}
	fps := float64(frames) / time.Since(start).Seconds()
	stats := st.Stats()
	t.Logf("%d frames of the producer's in %v: %.1f fps (engine: captured %.1f fps, sent %.1f fps, encode %.1f ms, skips: %s)",
		frames, window, fps, stats.CaptureFPS, stats.OutputFPS, stats.EncodeMs, stats.SkipCause)
	// The rate is serve's test to hold to 25 fps
	// (TestServeShowsAProducersFramesWithItsBoxes); here, that they flow.
	if frames < 30 {
		t.Fatalf("%d frames in %v, want the producer's frames to flow", frames, window)
	}

	close(stop)
	<-sent
	p.Close()
	h := nextPlaceholder(t, v, 10*time.Second)
	if h.Detections != nil {
		t.Fatalf("the NO SIGNAL frame has detections %v", h.Detections)
	}
	if s := st.Hub().Status(); !strings.Contains(s.Reason, "waiting for the producer") {
		t.Fatalf("status %+v after the producer left, want waiting for the producer", s)
	}
}

// A producer that pauses longer than the source waits gets NO SIGNAL
// shown, and the source reopened, but keeps its connection: its next
// frames are shown.
func TestAPausedProducerKeepsItsConnectionWhenTheSourceIsReopened(t *testing.T) {
	c := ingestCamera()
	c.Stream.MaxWidth, c.Stream.MaxHeight = 320, 180
	_, host := startIngest(t, c, Deps{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+host+"/ws?token="+c.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	p, resp, err := testproducer.Dial("ws://" + host + "/ingest/line?token=" + ingestToken)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	picture := testproducer.Picture(t, 320, 180)
	live := func(round int) {
		t.Helper()
		stop := make(chan struct{})
		sent := sendAt(p, picture, 320, 180, 30, personBox, stop)
		defer func() { close(stop); <-sent }()
		for deadline := time.Now().Add(15 * time.Second); ; {
			m, err := v.NextFrame(time.Until(deadline))
			if err != nil {
				t.Fatalf("round %d: no frame of the producer: %v", round, err)
			}
			_ = v.Ack(m.Frame.Seq)
			if !m.Frame.Placeholder && len(m.Frame.Detections) == 1 {
				return
			}
		}
	}
	live(1)
	h := nextPlaceholder(t, v, 10*time.Second) // 2 s without a frame
	if h.W != 320 || h.H != 180 {
		t.Fatalf("NO SIGNAL at %dx%d, want the producer's 320x180", h.W, h.H)
	}
	live(2)
	select {
	case <-p.Gone():
		t.Fatalf("the producer's connection ended: %v", p.Err())
	default:
	}
}

// greyPicture is a flat grey w×h JPEG: no pixel near any box colour.
func greyPicture(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// MJPEG and snapshot clients cannot draw the producer's boxes: they get
// them drawn in, while WebSocket viewers get the clean picture.
func TestTheProducersBoxesAreBurnedInForMJPEGAndSnapshots(t *testing.T) {
	c := ingestCamera()
	c.Stream.MaxWidth, c.Stream.MaxHeight = 640, 360
	_, host := startIngest(t, c, Deps{})
	p, resp, err := testproducer.Dial("ws://" + host + "/ingest/line?token=" + ingestToken)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	dets := []protocol.Detection{{Label: "person", Score: 0.9, Box: [4]int{100, 60, 300, 200}}}
	stop := make(chan struct{})
	sent := sendAt(p, greyPicture(t, 640, 360), 640, 360, 15, dets, stop)
	defer func() { close(stop); <-sent }()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+host+"/ws?token="+c.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var ws client.Message
	for deadline := time.Now().Add(15 * time.Second); ; {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("no frame of the producer: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
		if !m.Frame.Placeholder {
			ws = m
			break
		}
	}
	if n := coloured(t, ws.JPEG, otherColour); n > 20 {
		t.Fatalf("the WebSocket picture has %d pixels of the box colour: the boxes were burned in", n)
	}

	burnedParts(t, mjpegParts(ctx, t, "http://"+host+"/stream.mjpg?token="+c.Token), 10, 500, otherColour)
	burnedSnapshot(t, "http://"+host+"/snapshot.jpg?token="+c.Token, 500, otherColour)
}

// A stream set to ingest gets a publish token, saved, and says where its
// producer connects; one set to another source lets its producer go and
// takes none.
func TestAStreamFollowsItsSourceToAndFromIngest(t *testing.T) {
	c := small()
	var saved config.Camera
	st, host := startIngest(t, c, Deps{Save: func(c config.Camera) error { saved = c; return nil }})
	if urls, token := st.Ingest(); urls != nil || token != "" {
		t.Fatalf("a test pattern's Ingest: %v %q, want none", urls, token)
	}
	if _, resp, err := testproducer.Dial("ws://" + host + "/ingest/line?token=" + ingestToken); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a producer of a test pattern's stream: %v %v, want 404", resp, err)
	}

	if _, err := st.Update(func(s *engine.Settings) { s.Source = "ingest" }); err != nil {
		t.Fatal(err)
	}
	urls, token := st.Ingest()
	if protocol.CheckToken(token) != nil || saved.PublishToken != token {
		t.Fatalf("publish token %q, saved %q: want a new one, saved", token, saved.PublishToken)
	}
	want := "ws://" + host + "/ingest/line?token=" + url.QueryEscape(token)
	if len(urls) != 1 || urls[0] != want {
		t.Fatalf("Ingest URLs %v, want [%s]", urls, want)
	}
	p, resp, err := testproducer.Dial(urls[0])
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	if _, _, ok := p.WaitMessage(10*time.Second, 0, func(m json.RawMessage) bool { return true }); !ok {
		t.Fatal("the producer was told nothing")
	}

	if _, err := st.Update(func(s *engine.Settings) { s.Source = "test" }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Gone():
	case <-time.After(10 * time.Second):
		t.Fatal("the producer stayed connected to a test pattern's stream")
	}
	if saved.PublishToken != token {
		t.Fatalf("the publish token %q was not kept (%q)", saved.PublishToken, token)
	}
}

// A recorded ingest stream records the producer's frames and, in the
// detections index, the producer's boxes.
func TestARecordedIngestStreamKeepsTheProducersBoxes(t *testing.T) {
	store, err := record.Open(record.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := ingestCamera()
	c.Stream.MaxWidth, c.Stream.MaxHeight = 320, 180
	c.Record = true
	st, host := startIngest(t, c, Deps{Store: store})
	p, resp, err := testproducer.Dial("ws://" + host + "/ingest/line?token=" + ingestToken)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	dets := []protocol.Detection{{Label: "forklift", Score: 0.8, Box: [4]int{20, 30, 100, 60}}}
	stop := make(chan struct{})
	sent := sendAt(p, testproducer.Picture(t, 320, 180), 320, 180, 30, dets, stop)
	defer func() { close(stop); <-sent }()

	base := "http://" + host + "/"
	q := "?token=" + url.QueryEscape(c.Token)
	var spans []span
	testnet.WaitFor(t, 60*time.Second, "3 s recorded", func() bool {
		spans = nil
		return getJSON(t, base+"api/recordings"+q, &spans) == 200 && len(spans) == 1 && spans[0].End.Sub(spans[0].Start) >= 3*time.Second
	})
	var got []struct {
		TS    time.Time
		Label string
		Box   [4]int
	}
	if code := getJSON(t, base+"api/detections"+q+"&label=forklift&duration=1m&start="+url.QueryEscape(spans[0].Start.Format(time.RFC3339Nano)), &got); code != 200 || len(got) == 0 {
		t.Fatalf("api/detections: %d, %d of the producer's boxes", code, len(got))
	}
	if got[0].Box != dets[0].Box {
		t.Fatalf("recorded box %v, want the producer's %v", got[0].Box, dets[0].Box)
	}
	if n := len(st.Viewers(time.Now())); n != 0 {
		t.Fatalf("%d viewers: the recorder must not count as one", n)
	}
	// To the producer it does: one that idles with nobody watching keeps
	// sending while the stream is recorded.
	if m, _, ok := p.WaitMessage(10*time.Second, 0, func(m json.RawMessage) bool { return strings.Contains(string(m), `"type":"viewers"`) }); !ok || !strings.Contains(string(m), `"count":1`) {
		t.Fatalf("the producer was told %s, want a count of 1 for the recorder", m)
	}
}
