package engine

import (
	"sync"
	"testing"
	"time"

	"framecast/backend/source"
)

// opened is one call of an OpenFunc: the spec and hints it was given.
type opened struct {
	spec source.Spec
	opt  source.Options
}

// recordingOpen opens the test pattern for any spec, as a camera would be
// opened, and records what each call was given.
func recordingOpen() (OpenFunc, func() []opened) {
	var mu sync.Mutex
	var calls []opened
	open := func(spec source.Spec, opt source.Options) (source.Source, error) {
		mu.Lock()
		calls = append(calls, opened{spec, opt})
		mu.Unlock()
		return source.Open(source.Spec{Kind: source.KindTest}, opt)
	}
	return open, func() []opened {
		mu.Lock()
		defer mu.Unlock()
		return append([]opened{}, calls...)
	}
}

func TestTheSourceIsOpenedAsReadAndShownAsWritten(t *testing.T) {
	// Written as a person may: the API in capitals. The engine opens the
	// camera the text names, and viewers, stats and the settings show the
	// text itself, not a spelling of the engine's own.
	const written = "camera:3?api=MSMF"
	camera := source.Spec{Kind: source.KindCamera, Index: 3, API: "msmf"}
	open, calls := recordingOpen()
	set := small()
	set.Source = written
	e, h := start(t, set, Deps{Open: open})
	set.MaxWidth, set.MaxHeight, set.FPS = 640, 360, 15
	if err := e.Update(set); err != nil {
		t.Fatal(err)
	}
	want := []opened{
		{camera, source.Options{Width: 320, Height: 180, FPS: 60}},
		{camera, source.Options{Width: 640, Height: 360, FPS: 15}}, // reopened for the new size and rate
	}
	if got := calls(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("opened %+v, want %+v", got, want)
	}
	if got := e.Settings().Source; got != written {
		t.Fatalf("settings say source %q, want %q as written", got, written)
	}
	if got := e.Stats().Source; got != written {
		t.Fatalf("stats say source %q, want %q as written", got, written)
	}
	// The hub starts idle with no source: the engine's word comes after.
	deadline := time.Now().Add(15 * time.Second)
	for h.Status().Source != written {
		if time.Now().After(deadline) {
			t.Fatalf("viewers are told source %q, want %q as written", h.Status().Source, written)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestASourceThatCannotBeReadIsRefusedWithTheReason(t *testing.T) {
	open, calls := recordingOpen()
	e, _ := start(t, small(), Deps{Open: open})
	cases := []struct{ name, source, reason string }{
		{"a camera index that is not a number", "camera:front", `source "camera:front": camera index must be a number from 0 to 255`},
		{"a scheme no source speaks", "ftp://cam.local/live", `source "ftp://cam.local/live": unsupported scheme "ftp" (use rtsp, http or https)`},
		{"nothing at all", " ", "empty source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := small()
			bad.Source = c.source
			if err := e.Update(bad); err == nil || err.Error() != c.reason {
				t.Fatalf("err = %v, want %q", err, c.reason)
			}
			if got := e.Settings().Source; got != "test" {
				t.Fatalf("source %q after a refused one, want the test pattern still", got)
			}
		})
	}
	if n := len(calls()); n != 1 {
		t.Fatalf("source opened %d times, want once: a refused spec opens nothing", n)
	}
}
