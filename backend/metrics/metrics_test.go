package metrics

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/vision"
	"framecast/internal/matcheck"
	"framecast/internal/testnet"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

// value reads one sample from the exposition text.
func value(t *testing.T, text, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ([0-9.e+-]+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %s in:\n%s", name, text)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestMetricsCountWhatTheStreamDoes(t *testing.T) {
	m := New()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 60, MaxWidth: 160, MaxHeight: 90, FPS: 60, Enabled: true,
		Process: []vision.Item{{Name: "gray"}}}, engine.Deps{Hub: h, Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	m.Watch(func() []Stream { return []Stream{{Name: "line", Hub: h, Stats: eng.Stats}} })
	fast := h.Subscribe("ws", "fast", "")
	slow := h.Subscribe("ws", "slow", "") // never takes a frame: every frame but the last is a drop
	for n := 0; n < 20; {
		<-fast.Wake()
		if f := fast.TakeFrame(); f != nil {
			fast.Delivered(time.Now(), len(f.Data))
			n++
		}
	}
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Body)
		return string(body)
	}
	// A frame's encode and processing are counted just after it is
	// published: the 20th may be taken before they are.
	var text string
	testnet.WaitFor(t, 10*time.Second, "20 frames encoded and processed in the figures", func() bool {
		text = scrape()
		return value(t, text, `framecast_frames_encoded_total{stream="line"}`) >= 20 &&
			value(t, text, `framecast_process_seconds_count{processor="gray"}`) >= 20 &&
			value(t, text, `framecast_encode_seconds_count`) >= 20
	})
	if v := value(t, text, `framecast_frames_encoded_total{stream="line"}`); v < 20 {
		t.Fatalf("encoded %v, want at least 20", v)
	}
	if v := value(t, text, `framecast_frames_captured_total{stream="line"}`); v < 20 {
		t.Fatalf("captured %v", v)
	}
	if v := value(t, text, `framecast_bytes_sent_total{stream="line"}`); v <= 0 {
		t.Fatalf("bytes sent %v", v)
	}
	if v := value(t, text, `framecast_frames_sent_total{stream="line"}`); v != 20 {
		t.Fatalf("sent %v, want the 20 frames the fast viewer took", v)
	}
	if strings.Contains(text, "viewer=") {
		t.Fatalf("a series per viewer connection:\n%s", text)
	}
	if v := value(t, text, `framecast_frames_dropped_total{stream="line"}`); v < 15 {
		t.Fatalf("dropped %v, want the slow viewer's", v)
	}
	if v := value(t, text, `framecast_viewers{kind="ws",stream="line"}`); v != 2 {
		t.Fatalf("ws viewers %v, want 2", v)
	}
	if v := value(t, text, `framecast_process_seconds_count{processor="gray"}`); v < 20 {
		t.Fatalf("gray observed %v times", v)
	}
	if v := value(t, text, `framecast_encode_seconds_count`); v < 20 {
		t.Fatalf("encodes observed %v times", v)
	}
	m.IngestError()
	if v := value(t, scrape(), `framecast_ingest_errors_total`); v != 1 {
		t.Fatalf("ingest errors %v", v)
	}
	h.Unsubscribe(fast)
	h.Unsubscribe(slow)
}

// scrape reads the metrics as Prometheus would.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestStreamsComeAndGoBetweenScrapes(t *testing.T) {
	m := New()
	live := map[string]*hub.Hub{}
	m.Watch(func() []Stream {
		var out []Stream
		for name, h := range live {
			out = append(out, Stream{Name: name, Hub: h, Relay: true,
				Stats: func() engine.Stats { return engine.Stats{Received: uint64(len(name)), CaptureFPS: 40} }})
		}
		return out
	})
	for _, name := range []string{"a", "bb", "ccc"} {
		live[name] = hub.New()
	}
	text := scrape(t, m)
	for _, name := range []string{"a", "bb", "ccc"} {
		if v := value(t, text, `framecast_frames_received_total{stream="`+name+`"}`); v != float64(len(name)) {
			t.Fatalf("stream %s received %v", name, v)
		}
	}
	if v := value(t, text, `framecast_fps{direction="in",stream="a"}`); v != 40 {
		t.Fatalf("input fps %v", v)
	}
	if strings.Contains(text, "framecast_frames_captured_total") {
		t.Fatal("a relayed stream claims frames captured")
	}
	delete(live, "bb")
	if text = scrape(t, m); strings.Contains(text, `stream="bb"`) {
		t.Fatal("a forgotten stream is still exported")
	}
	live["bb"] = hub.New() // the same name again, as a producer that returns
	if v := value(t, scrape(t, m), `framecast_frames_received_total{stream="bb"}`); v != 2 {
		t.Fatalf("stream bb back: received %v", v)
	}
}
