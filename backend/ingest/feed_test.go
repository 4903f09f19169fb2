package ingest

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/protocol"
	"framecast/internal/testproducer"

	"github.com/gorilla/websocket"
)

const publishToken = "feed-publish-token-0123"

// audience is a fake viewer count.
type audience struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func newAudience() *audience { return &audience{changed: make(chan struct{})} }

func (a *audience) Count() int { a.mu.Lock(); defer a.mu.Unlock(); return a.n }

func (a *audience) Changed() <-chan struct{} { a.mu.Lock(); defer a.mu.Unlock(); return a.changed }

func (a *audience) set(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n = n
	close(a.changed)
	a.changed = make(chan struct{})
}

// serveFeed serves a new feed at an httptest server; it returns the
// producer URL with the right token.
func serveFeed(t *testing.T, d FeedDeps) (*Feed, string) {
	t.Helper()
	if d.Token == nil {
		d.Token = func() string { return publishToken }
	}
	f := NewFeed(d)
	srv := httptest.NewServer(f)
	t.Cleanup(func() { f.Close(); srv.Close() })
	return f, "ws" + strings.TrimPrefix(srv.URL, "http") + "/ingest/line?token=" + publishToken + "&view=ignored-view-token-0123"
}

// waitConnected waits, on the feed's own events, until whether a producer
// is connected is want.
func waitConnected(t *testing.T, f *Feed, want bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		changed := f.Changed()
		if f.Connected() == want {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("connected is not %v after 10 s", want)
		}
	}
}

// goroutinesBack waits until no more goroutines run than base.
func goroutinesBack(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dial(t *testing.T, url string) *testproducer.Producer {
	t.Helper()
	p, resp, err := testproducer.Dial(url)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(p.Close)
	return p
}

func TestOneProducerAtATime(t *testing.T) {
	f, url := serveFeed(t, FeedDeps{Audience: newAudience()})
	first := dial(t, url)
	// Told the count: every goroutine of the connection runs.
	if _, _, ok := first.WaitMessage(10*time.Second, 0, func(json.RawMessage) bool { return true }); !ok {
		t.Fatal("not told how many watch")
	}
	base := runtime.NumGoroutine()

	_, resp, err := testproducer.Dial(url)
	if err == nil || resp == nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("a second producer: %v %v, want 409", resp, err)
	}
	goroutinesBack(t, base)
	jpeg := testproducer.Picture(t, 64, 48)
	if err := first.Send(jpeg, 64, 48, nil); err != nil {
		t.Fatal(err)
	}
	waitPicture(t, f, 1)

	first.Close()
	waitConnected(t, f, false)
	second := dial(t, url)
	waitConnected(t, f, true)
	if err := second.Send(jpeg, 64, 48, nil); err != nil {
		t.Fatal(err)
	}
	waitPicture(t, f, 2)
}

// waitPicture waits for the feed's picture seq.
func waitPicture(t *testing.T, f *Feed, seq uint64) *Picture {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		changed := f.Changed()
		if p, _ := f.Latest(); p != nil && p.Seq >= seq {
			return p
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no picture %d after 10 s", seq)
		}
	}
}

func TestAWrongTokenIsRefusedAndCounted(t *testing.T) {
	limits := httpx.DefaultLimits()
	limits.MaxFailedTokens = 2
	f, url := serveFeed(t, FeedDeps{Guard: httpx.NewGuard(limits)})
	wrong := strings.Replace(url, publishToken, "wrong-publish-token-0123", 1)
	base := runtime.NumGoroutine()
	for i, want := range []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusTooManyRequests} {
		_, resp, err := testproducer.Dial(wrong)
		if err == nil || resp == nil || resp.StatusCode != want {
			t.Fatalf("wrong token %d: %v %v, want %d", i+1, resp, err, want)
		}
	}
	_, resp, err := testproducer.Dial(strings.Replace(url, "token="+publishToken, "token=", 1))
	if err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("no token after the limit: %v %v, want 429", resp, err)
	}
	goroutinesBack(t, base)
	if p, connected := f.Latest(); p != nil || connected {
		t.Fatalf("after refusals: picture %v, connected %v", p, connected)
	}
	// A right token is always served.
	dial(t, url)
	waitConnected(t, f, true)
}

func TestAFeedWithoutATokenTakesNoProducer(t *testing.T) {
	f, url := serveFeed(t, FeedDeps{Token: func() string { return "" }})
	for _, u := range []string{url, strings.Replace(url, "token="+publishToken, "token=", 1)} {
		_, resp, err := testproducer.Dial(u)
		if err == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%v %v, want 401", resp, err)
		}
	}
	if f.Connected() {
		t.Fatal("connected")
	}
}

// frameMsg is a binary frame message of h and picture.
func frameMsg(t *testing.T, h protocol.Header, picture []byte) []byte {
	t.Helper()
	msg, err := protocol.EncodeFrame(h, picture)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestBadMessagesAreRefusedAndTheConnectionStays(t *testing.T) {
	const maxFrame = 5000
	f, url := serveFeed(t, FeedDeps{MaxFrame: maxFrame})
	p := dial(t, url)
	good := testproducer.Picture(t, 64, 48)
	big := testproducer.Picture(t, 640, 360)
	if len(big) <= maxFrame {
		t.Fatalf("the big picture is %d bytes, not over %d", len(big), maxFrame)
	}
	shortHeader := make([]byte, 8)
	binary.BigEndian.PutUint32(shortHeader, 100)
	notJSON := append(binary.BigEndian.AppendUint32(nil, 5), []byte("{nope")...)
	torn := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 200)...)
	h264, err := os.ReadFile(filepath.Join("testdata", "key64x48.h264"))
	if err != nil {
		t.Fatal(err)
	}
	next := 0 // the first reply not looked at yet
	for _, tc := range []struct {
		name string
		kind int
		msg  []byte
		want string
	}{
		{"a picture over the limit", websocket.BinaryMessage, frameMsg(t, protocol.Header{W: 640, H: 360}, big), "over the limit"},
		{"a picture that is not a JPEG", websocket.BinaryMessage, frameMsg(t, protocol.Header{W: 64, H: 48}, []byte("GIF89a....")), "not a JPEG"},
		{"a JPEG that cannot be read", websocket.BinaryMessage, frameMsg(t, protocol.Header{W: 64, H: 48}, torn), "not a JPEG that can be read"},
		{"a header of the wrong size", websocket.BinaryMessage, frameMsg(t, protocol.Header{W: 640, H: 480}, good), "header says 640x480"},
		{"a header longer than the message", websocket.BinaryMessage, shortHeader, "header says 100 bytes"},
		{"a header that is not JSON", websocket.BinaryMessage, notJSON, "invalid character"},
		{"an H.264 frame", websocket.BinaryMessage, frameMsg(t, protocol.Header{W: 64, H: 48, Codec: protocol.CodecH264, Key: true}, h264), "JPEG frames only"},
		{"a rendition's frame", websocket.BinaryMessage, frameMsg(t, protocol.Header{W: 64, H: 48, Rendition: "360p"}, good), "asked for none"},
		{"the old setup's text", websocket.TextMessage, []byte("img=sq=data:image/jpeg;base64,AAAA"), "binary frames"},
		{"a control message of another kind", websocket.TextMessage, []byte(`{"type":"links","links":[]}`), "only renditions offers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := p.SendRaw(tc.kind, tc.msg); err != nil {
				t.Fatal(err)
			}
			msg, n, ok := p.WaitMessage(10*time.Second, next, func(m json.RawMessage) bool {
				return strings.Contains(string(m), `"type":"error"`)
			})
			if !ok || !strings.Contains(string(msg), tc.want) {
				t.Fatalf("error reply %s, want one saying %q", msg, tc.want)
			}
			next = n
			t.Logf("refused: %s", msg)
			if pic, _ := f.Latest(); pic != nil {
				t.Fatalf("a refused message was passed on: %+v", pic.W)
			}
		})
	}
	dets := []protocol.Detection{{Label: "person", Score: 0.9, Box: [4]int{1, 2, 30, 40}}}
	if err := p.Send(good, 64, 48, dets); err != nil {
		t.Fatal(err)
	}
	pic := waitPicture(t, f, 1)
	if pic.W != 64 || pic.H != 48 || len(pic.Detections) != 1 || pic.Detections[0] != dets[0] {
		t.Fatalf("picture %dx%d with %v, want 64x48 with %v", pic.W, pic.H, pic.Detections, dets)
	}
}

func TestAMessageFarOverTheLimitEndsTheConnection(t *testing.T) {
	f, url := serveFeed(t, FeedDeps{MaxFrame: 1000})
	p := dial(t, url)
	waitConnected(t, f, true)
	huge := make([]byte, 1000+protocol.MaxHeaderSize+100)
	_ = p.SendRaw(websocket.BinaryMessage, huge)
	select {
	case <-p.Gone():
	case <-time.After(10 * time.Second):
		t.Fatal("still connected")
	}
	var ce *websocket.CloseError
	if err := p.Err(); !asClose(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("ended with %v, want close 1009", err)
	}
	waitConnected(t, f, false)
	if pic, _ := f.Latest(); pic != nil {
		t.Fatal("a picture was passed on")
	}
}

func asClose(err error, ce **websocket.CloseError) bool {
	c, ok := err.(*websocket.CloseError)
	*ce = c
	return ok
}

func TestTheProducerIsToldTheViewersAndAskedForNoRenditions(t *testing.T) {
	a := newAudience()
	_, url := serveFeed(t, FeedDeps{Audience: a})
	p := dial(t, url)
	isCount := func(n int) func(json.RawMessage) bool {
		return func(m json.RawMessage) bool {
			var c protocol.ViewerCount
			return json.Unmarshal(m, &c) == nil && c.Type == protocol.TypeViewers && c.Count == n
		}
	}
	_, next, ok := p.WaitMessage(10*time.Second, 0, isCount(0))
	if !ok {
		t.Fatal("not told that nobody watches")
	}
	a.set(2)
	if _, next, ok = p.WaitMessage(10*time.Second, next, isCount(2)); !ok {
		t.Fatal("not told that 2 watch")
	}
	for _, tc := range []struct {
		name  string
		offer protocol.RenditionsOffer
		want  protocol.RenditionsWant
	}{
		{"a JPEG ladder gets an empty list", protocol.NewRenditionsOffer([]protocol.Rendition{{Name: "360p", W: 640, H: 360, Quality: 70}}, nil), protocol.NewRenditionsWant(nil, false)},
		{"a ladder with codecs gets the own size in JPEG alone", protocol.NewRenditionsOffer(nil, []string{protocol.CodecH264}), protocol.NewRenditionsWant([]string{""}, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := json.Marshal(tc.offer)
			if err := p.SendRaw(websocket.TextMessage, b); err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(tc.want)
			var got json.RawMessage
			if got, next, ok = p.WaitMessage(10*time.Second, next, func(m json.RawMessage) bool {
				return strings.Contains(string(m), `"type":"renditions"`) || strings.Contains(string(m), `"type":"error"`)
			}); !ok || string(got) != string(wantJSON) {
				t.Fatalf("answer %s, want %s", got, wantJSON)
			}
		})
	}
}

func TestClosingTheFeedEndsItsProducer(t *testing.T) {
	f, url := serveFeed(t, FeedDeps{})
	p := dial(t, url)
	waitConnected(t, f, true)
	f.Close()
	select {
	case <-p.Gone():
	case <-time.After(10 * time.Second):
		t.Fatal("the producer is still connected")
	}
	if _, resp, err := testproducer.Dial(url); err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a producer after Close: %v %v, want 503", resp, err)
	}
}
