package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/hub"
	"framecast/backend/record"
)

// fakeRecordings answer as told; Clip waits for release while hold is set,
// and answers clip's bytes when given.
type fakeRecordings struct {
	err     error
	clip    []byte
	spans   []record.Span
	found   []record.Detection
	asked   chan record.Query
	hold    chan struct{}
	entered chan struct{} // a Clip call came
}

func (f *fakeRecordings) Spans() ([]record.Span, error) { return f.spans, f.err }

func (f *fakeRecordings) Clip(start time.Time, _ time.Duration) (Clip, error) {
	if f.hold != nil {
		f.entered <- struct{}{}
		<-f.hold
	}
	if f.clip != nil {
		return fakeClip{Reader: bytes.NewReader(f.clip), start: start}, nil
	}
	return nil, f.err
}

// fakeClip is a clip of the bytes given: the server does not look into
// them.
type fakeClip struct {
	*bytes.Reader
	start time.Time
}

func (c fakeClip) Start() time.Time { return c.start }
func (c fakeClip) Name() string     { return "clip.mp4" }
func (c fakeClip) Close() error     { return nil }

func (f *fakeRecordings) Detections(q record.Query) ([]record.Detection, error) {
	if f.asked != nil {
		f.asked <- q
	}
	return f.found, f.err
}

const recToken = "recordings-token-0123456789"

func recordingServer(t *testing.T, rec Recordings) string {
	t.Helper()
	d := Deps{Hub: hub.New(), Stream: statsStream{}, Assets: fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}}
	if rec != nil {
		d.Recordings = rec
	}
	sh := NewHandler("line-2", recToken, d)
	ts := httptest.NewServer(sh)
	t.Cleanup(func() { ts.Close(); sh.Close("") })
	return ts.URL
}

// answer is a JSON answer's status and its error, or its body.
func answer(t *testing.T, u string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 20 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct{ Error string }
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		return resp.StatusCode, e.Error
	}
	return resp.StatusCode, string(b)
}

func TestRecordingsAreReadWithTheViewerTokenAndRefusedWithAReason(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	rec := &fakeRecordings{
		spans: []record.Span{{Start: t0, End: t0.Add(90 * time.Second)}},
		found: []record.Detection{{TS: t0.Add(1500 * time.Microsecond), Label: "motion", Score: 0.75, Box: [4]int{1, 2, 3, 4}}},
		asked: make(chan record.Query, 1),
	}
	base := recordingServer(t, rec)
	q := "?token=" + recToken

	code, body := answer(t, base+"/api/recordings"+q)
	if want := `[{"start":"2026-12-06T14:00:00.000Z","end":"2026-12-06T14:01:30.000Z"}]`; code != 200 || strings.TrimSpace(body) != want {
		t.Fatalf("api/recordings: %d %s, want %s", code, body, want)
	}
	code, body = answer(t, base+"/api/detections"+q+"&start=2026-12-06T14:00:00Z&duration=10m&label=motion&every=2s&limit=50")
	if want := `[{"ts":"2026-12-06T14:00:00.001500Z","label":"motion","score":0.75,"box":[1,2,3,4]}]`; code != 200 || strings.TrimSpace(body) != want {
		t.Fatalf("api/detections: %d %s, want %s", code, body, want)
	}
	if got := <-rec.asked; !got.Start.Equal(t0) || got.Duration != 10*time.Minute || got.Label != "motion" || got.Every != 2*time.Second || got.Limit != 50 {
		t.Fatalf("the recordings were asked %+v", got)
	}

	for _, c := range []struct {
		path string
		code int
		says string
	}{
		{"/api/recordings", 401, "token is missing or wrong"},
		{"/clip.mp4?start=2026-12-06T14:00:00Z&duration=5s", 401, "token is missing or wrong"},
		{"/api/detections" + q + "&duration=5s", 400, "start is missing"},
		{"/clip.mp4" + q + "&start=2026-12-06T14:00:00Z&duration=2h", 400, "at most 1h0m0s"},
		{"/clip.mp4" + q + "&start=2026-12-06T14:00:00Z&end=2026-12-06T13:00:00Z", 400, "is not after start"},
		{"/clip.mp4" + q + "&start=2026-12-06T14:00:00Z&duration=5s&pad=" + strings.Repeat("x", maxQuery), 414, "the query is over"},
	} {
		code, body := answer(t, base+c.path)
		if code != c.code || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %q, want %d with %q", c.path, code, body, c.code, c.says)
		}
	}

	// What the store says is not there is a 404 with its reason; anything
	// else a 500 that keeps its cause (a path on the server) to the log.
	rec.err = fmt.Errorf("%w between 14:00 and 14:05", record.ErrNoRecording)
	if code, body := answer(t, base+"/clip.mp4"+q+"&start=2026-12-06T14:00:00Z&duration=5s"); code != 404 || !strings.Contains(body, "between 14:00 and 14:05") {
		t.Fatalf("no recording: %d %s", code, body)
	}
	rec.err = errors.New("open /var/lib/secret/line-2/x.mp4: permission denied")
	if code, body := answer(t, base+"/api/recordings"+q); code != 500 || strings.Contains(body, "/var/lib") {
		t.Fatalf("a failed read: %d %s", code, body)
	}
	rec.err = ErrNotRecorded
	if code, body := answer(t, base+"/api/recordings"+q); code != 404 || body != ErrNotRecorded.Error() {
		t.Fatalf("not recorded: %d %s", code, body)
	}

	// A stream with no recordings at all (a relay's).
	plain := recordingServer(t, nil)
	if code, body := answer(t, plain+"/api/recordings"+q); code != 404 || body != ErrNotRecorded.Error() {
		t.Fatalf("a stream never recorded: %d %s", code, body)
	}
}

func TestClipDownloadsOfAStreamAreBounded(t *testing.T) {
	rec := &fakeRecordings{hold: make(chan struct{}), entered: make(chan struct{}, 2*maxClips), err: record.ErrNoRecording}
	base := recordingServer(t, rec)
	var release sync.Once
	free := func() { release.Do(func() { close(rec.hold) }) }
	defer free()
	u := base + "/clip.mp4?token=" + recToken + "&start=2026-12-06T14:00:00Z&duration=5s"
	codes := make(chan int, maxClips)
	for range maxClips {
		go func() {
			code, _ := answer(t, u)
			codes <- code
		}()
	}
	for range maxClips {
		<-rec.entered // every slot taken, each clip being read
	}
	code, body := answer(t, u)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "try again") {
		t.Fatalf("a clip beyond the bound: %d %s", code, body)
	}
	free()
	for range maxClips {
		if c := <-codes; c != http.StatusNotFound {
			t.Fatalf("a held clip answered %d", c)
		}
	}
	// The slots are free again.
	if code, _ := answer(t, u); code != http.StatusNotFound {
		t.Fatalf("after the downloads ended: %d", code)
	}
}
