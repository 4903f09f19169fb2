package relay

import (
	"fmt"
	"image/color"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"framecast/backend/metrics"
	"framecast/backend/protocol"
	"framecast/internal/testnet"
)

// scrape reads the relay's /metrics with the publish token.
func scrape(t *testing.T, rl *Relay) string {
	t.Helper()
	resp, err := http.Get("http://" + rl.Addr().String() + "/metrics?token=" + publishToken)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	return string(body)
}

// sample reads one sample from the exposition text, or -1 without it.
func sample(text, name string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ([0-9.e+-]+)$`).FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// waitFor polls cond until it holds or 15 s have passed (make test runs
// packages side by side under -race on two cores).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testnet.WaitFor(t, 15*time.Second, what, cond)
}

// scrapeUntil scrapes until cond holds on the text, and returns that text.
// A viewer reads a frame before the relay's writer counts it sent, so a
// count read once right after a frame arrived may be one short.
func scrapeUntil(t *testing.T, rl *Relay, what string, cond func(text string) bool) string {
	t.Helper()
	var text string
	deadline := time.Now().Add(15 * time.Second)
	for text = scrape(t, rl); !cond(text); text = scrape(t, rl) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s:\n%s", what, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return text
}

func TestOneRelayWithMetricsCarriesThreeStreamsAtOnceAndTakesAForgottenNameBack(t *testing.T) {
	rl := startRelayWith(t, func(_ *Config, d *Deps) { d.Metrics = metrics.New() })
	names := []string{"line1", "line2", "dock"}
	jpg := picture(t, 16, 16, color.RGBA{10, 200, 10, 255})
	var closeDock []func() error
	// Three producers connect at once, each with its own link.
	for i, name := range names {
		prod := produce(t, rl, name, fmt.Sprintf("view-token-of-%s-0123", name))
		v := watch(t, rl, name, fmt.Sprintf("view-token-of-%s-0123", name), "")
		if name == "dock" {
			closeDock = []func() error{prod.Close, v.Close}
		}
		for seq := uint64(1); seq <= uint64(i+2); seq++ {
			sendFrame(t, prod, protocol.Header{Seq: seq, TS: time.Now().UnixMicro()}, jpg)
			m, err := v.NextFrame(5 * time.Second)
			if err != nil || m.Frame.Seq != seq {
				t.Fatalf("stream %s frame %d: %+v, %v", name, seq, m.Frame, err)
			}
			_ = v.Ack(seq)
		}
	}
	text := scrapeUntil(t, rl, "every frame counted sent", func(text string) bool {
		for i, name := range names {
			if sample(text, `framecast_frames_sent_total{stream="`+name+`"}`) < float64(i+2) {
				return false
			}
		}
		return true
	})
	for i, name := range names {
		if got := sample(text, `framecast_frames_received_total{stream="`+name+`"}`); got != float64(i+2) {
			t.Fatalf("stream %s: received %v, want %d\n%s", name, got, i+2, text)
		}
		if got := sample(text, `framecast_viewers{kind="ws",stream="`+name+`"}`); got != 1 {
			t.Fatalf("stream %s: ws viewers %v, want 1", name, got)
		}
		if got := sample(text, `framecast_frames_sent_total{stream="`+name+`"}`); got != float64(i+2) {
			t.Fatalf("stream %s: sent %v, want %d", name, got, i+2)
		}
	}
	if sample(text, `framecast_http_panics_total`) != 0 {
		t.Fatal("a handler panicked")
	}

	// dock's producer and viewer go; the stream is forgotten; dock comes back.
	dock := rl.table.Lookup("dock")
	for _, c := range closeDock {
		_ = c()
	}
	waitFor(t, "dock to be idle", dock.idle)
	tbl := rl.table.(*memTable)
	now := time.Now()
	tbl.reapIdle(now)
	tbl.reapIdle(now.Add(tbl.ttl))
	if rl.table.Lookup("dock") != nil {
		t.Fatal("an idle stream was not forgotten")
	}
	if got := sample(scrape(t, rl), `framecast_frames_received_total{stream="dock"}`); got != -1 {
		t.Fatalf("a forgotten stream is still in the metrics: %v", got)
	}
	prod := produce(t, rl, "dock", "another-view-token-of-dock")
	v := watch(t, rl, "dock", "another-view-token-of-dock", "")
	sendFrame(t, prod, protocol.Header{Seq: 1, TS: time.Now().UnixMicro()}, jpg)
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatalf("the name taken back: %v", err)
	}
	text = scrape(t, rl)
	if got := sample(text, `framecast_frames_received_total{stream="dock"}`); got != 1 {
		t.Fatalf("dock again: received %v, want 1 (a new stream)\n%s", got, text)
	}
	if sample(text, `framecast_frames_received_total{stream="line1"}`) != 2 {
		t.Fatal("the other streams lost their counters")
	}
}
