package station

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framecast/backend/config"
	"framecast/backend/record"
	"framecast/backend/vision"
	"framecast/internal/testclip"
	"framecast/internal/testnet"
)

// getJSON GETs u and decodes its JSON answer into v, returning the status.
func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %s: %v", strings.Split(u, "?")[0], resp.Status, err)
	}
	return resp.StatusCode
}

type span struct{ Start, End time.Time }

// A recorded stream nobody watches is captured for its recorder alone; its
// viewers read what was recorded with their own token: the spans, a clip
// ffprobe reads at the size and duration asked, and the detections.
func TestARecordedStreamServesItsRecordingToItsViewers(t *testing.T) {
	store, err := record.Open(record.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := small()
	c.Stream.MaxWidth, c.Stream.MaxHeight = 320, 180
	c.Stream.Process, _ = vision.ParseChain("motion")
	c.Record = true
	var saved config.Camera
	st := start(t, c, Deps{Store: store, Save: func(c config.Camera) error { saved = c; return nil }})
	base := st.srv.URL + "/"
	q := "?token=" + url.QueryEscape(c.Token)

	var spans []span
	testnet.WaitFor(t, 60*time.Second, "4 s recorded", func() bool {
		spans = nil
		return getJSON(t, base+"api/recordings"+q, &spans) == 200 && len(spans) == 1 && spans[0].End.Sub(spans[0].Start) >= 4*time.Second
	})
	if n := len(st.Viewers(time.Now())); n != 0 {
		t.Fatalf("%d viewers: the recorder must not count as one", n)
	}

	// A 2 s clip from a second in.
	at := spans[0].Start.Add(time.Second)
	u := base + "clip.mp4" + q + "&duration=2s&download=1&start=" + url.QueryEscape(at.Format(time.RFC3339Nano))
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/mp4" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("clip.mp4: %s %v %.200s", resp.Status, resp.Header, b)
	}
	clipStart, err := time.Parse(time.RFC3339Nano, resp.Header.Get("X-Clip-Start"))
	if err != nil || clipStart.After(at) || at.Sub(clipStart) > 3*time.Second {
		t.Fatalf("the clip starts at %v (%v), want the keyframe at or before %v", clipStart, err, at)
	}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	frame := 1.0 / float64(c.Stream.FPS)
	if p := testclip.ProbeMP4(t, path); p.Codec != "h264" || p.W != 320 || p.H != 180 || p.Duration.Seconds() < 2-frame-0.001 || p.Duration.Seconds() > 2+frame+0.001 {
		t.Fatalf("ffprobe: %s %dx%d %v, want h264 320x180 2 s ± a frame", p.Codec, p.W, p.H, p.Duration)
	}

	// Part of a clip, as a <video> asks while seeking.
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Range", "bytes=100-199")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(part) != string(b[100:200]) {
		t.Fatalf("a range of the clip: %s, %d bytes", resp.Status, len(part))
	}

	// The test pattern moves: the motion detector finds it, and the
	// index has it at capture times within the recording.
	var dets []struct {
		TS    time.Time
		Label string
		Box   [4]int
	}
	if code := getJSON(t, base+"api/detections"+q+"&label=motion&duration=1m&start="+url.QueryEscape(spans[0].Start.Format(time.RFC3339Nano)), &dets); code != 200 || len(dets) == 0 {
		t.Fatalf("api/detections: %d, %d detections", code, len(dets))
	}
	for _, d := range dets {
		if d.Label != "motion" || d.TS.Before(spans[0].Start) || d.TS.After(time.Now()) || d.Box[2] <= 0 {
			t.Fatalf("detection %+v outside the recording %v", d, spans[0])
		}
	}
	var none []any
	if code := getJSON(t, base+"api/detections"+q+"&label=person&duration=1m&start="+url.QueryEscape(spans[0].Start.Format(time.RFC3339Nano)), &none); code != 200 || len(none) != 0 {
		t.Fatalf("detections of a label never seen: %d, %d", code, len(none))
	}
	var e struct{ Error string }
	if code := getJSON(t, base+"clip.mp4"+q+"&duration=5s&start=2020-01-01T00:00:00Z", &e); code != 404 || e.Error == "" {
		t.Fatalf("a clip of a time nothing was recorded: %d %q", code, e.Error)
	}

	// Renamed while recording: its recordings follow it, and it records
	// on under the new name.
	if err := st.Rename("dock"); err != nil {
		t.Fatal(err)
	}
	before := spans[0].End
	testnet.WaitFor(t, 30*time.Second, "the renamed stream recording on", func() bool {
		spans = nil
		return getJSON(t, base+"api/recordings"+q, &spans) == 200 && len(spans) > 0 && spans[len(spans)-1].End.After(before.Add(time.Second))
	})
	if !spans[0].Start.Equal(at.Add(-time.Second)) {
		t.Fatalf("after the rename the recordings start at %v, want %v", spans[0].Start, at.Add(-time.Second))
	}

	// Recording stopped: saved, and what was recorded still readable.
	if err := st.SetRecord(false); err != nil {
		t.Fatal(err)
	}
	if saved.Record || st.Recording().Recording {
		t.Fatalf("recording off: saved %v, recording %v", saved.Record, st.Recording().Recording)
	}
	if code := getJSON(t, base+"api/recordings"+q, &spans); code != 200 || len(spans) == 0 {
		t.Fatalf("after recording stopped: %d %v", code, spans)
	}
}

func TestAStreamWithoutAStoreIsNotRecordedAndSaysWhy(t *testing.T) {
	st := start(t, small(), Deps{})
	if err := st.SetRecord(true); err == nil || !strings.Contains(err.Error(), "--record") {
		t.Fatalf("SetRecord without a store: %v", err)
	}
	var e struct{ Error string }
	if code := getJSON(t, st.srv.URL+"/api/recordings?token="+small().Token, &e); code != 404 || e.Error != "this stream is not recorded" {
		t.Fatalf("api/recordings: %d %q", code, e.Error)
	}
}

// A full disk stops the recording with a reason the operator sees, and the
// stream's viewers go on as before.
func TestAFullDiskStopsRecordingAndNotTheViewers(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	store, err := record.Open(record.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := small()
	c.Stream.MaxWidth, c.Stream.MaxHeight, c.Stream.Bitrate = 640, 360, 4_000_000
	c.Record = true
	st := start(t, c, Deps{Store: store})
	v, _ := viewer(t, st, "jpeg")
	frames := 0
	testnet.WaitFor(t, 60*time.Second, "the disk full", func() bool {
		// The viewer reads on meanwhile.
		if m, err := v.NextFrame(5 * time.Second); err == nil {
			frames++
			_ = v.Ack(m.Frame.Seq)
		}
		return strings.Contains(st.Recording().Err, "disk full")
	})
	if frames == 0 {
		t.Fatal("no frame reached the viewer while the disk filled")
	}
	// Thirty frames more in a few seconds: the viewer did not notice.
	t0 := time.Now()
	for range 30 {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("after the disk filled: %v", err)
		}
		_ = v.Ack(m.Frame.Seq)
	}
	if took := time.Since(t0); took > 10*time.Second {
		t.Fatalf("30 frames took %v after the disk filled", took)
	}
	var spans []span
	if code := getJSON(t, st.srv.URL+"/api/recordings?token="+c.Token, &spans); code != 200 || len(spans) == 0 {
		t.Fatalf("what was recorded before: %d %v", code, spans)
	}
}
