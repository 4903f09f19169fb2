package engine

import (
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/source"
)

// exclusiveOpen opens the test pattern for any spec, as a camera would be
// opened, and fails the test if a second one is opened while the first is
// still open: a camera cannot be opened twice.
func exclusiveOpen(t *testing.T, opens *atomic.Int32) OpenFunc {
	var open atomic.Int32
	return func(spec source.Spec, opt source.Options) (source.Source, error) {
		if n := open.Add(1); n > 1 {
			t.Errorf("source opened while %d other is still open", n-1)
		}
		opens.Add(1)
		src, err := source.Open(source.Spec{Kind: source.KindTest}, opt)
		if err != nil {
			return nil, err
		}
		return &fakeSource{ReadImpl: src.Read, CloseImpl: func() error { open.Add(-1); return src.Close() }}, nil
	}
}

// firstAt waits for the first frame of size w×h, captured less than a second
// after changed; frames from before the change may come first.
func firstAt(t *testing.T, s *hub.Subscriber, w, h int, changed time.Time) *hub.Frame {
	t.Helper()
	for {
		f := next(t, s)
		at := time.UnixMicro(f.Header.TS)
		if f.Header.W == w && f.Header.H == h && at.After(changed) {
			if late := at.Sub(changed); late > time.Second {
				t.Fatalf("the first %dx%d frame was captured %v after the change, want within 1 s", w, h, late)
			}
			return f
		}
		if at.Sub(changed) > time.Second {
			t.Fatalf("a frame captured %v after the change to %dx%d is still %dx%d", at.Sub(changed), w, h, f.Header.W, f.Header.H)
		}
	}
}

// rateOver reads frames for a second of capture time from first on, checks
// each is w×h, and returns their rate and how many came sooner than gap
// after the one before: seq counts every frame encoded and ts is each one's
// capture time, so the figures are the engine's, whatever the test's own
// scheduling.
func rateOver(t *testing.T, s *hub.Subscriber, first *hub.Frame, w, h int, gap time.Duration) (fps float64, sooner int) {
	t.Helper()
	last := first
	span := func() time.Duration { return time.Duration(last.Header.TS-first.Header.TS) * time.Microsecond }
	for span() < time.Second {
		prev := last
		last = next(t, s)
		if last.Header.W != w || last.Header.H != h {
			t.Fatalf("frame %d is %dx%d after the change to %dx%d", last.Header.Seq, last.Header.W, last.Header.H, w, h)
		}
		if time.Duration(last.Header.TS-prev.Header.TS)*time.Microsecond < gap {
			sooner++
		}
	}
	return float64(last.Header.Seq-first.Header.Seq) / span().Seconds(), sooner
}

// capFollowed says whether fps, a rate measured after a change of the fps
// cap from old to cur, shows the new cap in force. A loaded machine may
// capture slower than any cap, so the rate must stay under the new cap
// and, when the cap went up, beat the old one: a rate above the old cap
// cannot happen while it is still in force; when it went down, the rate
// must not have collapsed either.
func capFollowed(fps float64, old, cur int) bool {
	if fps > 1.2*float64(cur) {
		return false
	}
	if cur <= old {
		return fps >= 0.5*float64(cur)
	}
	return fps > 1.1*float64(old)
}

func TestANewSizeAndFrameRateReachThePictureWhateverTheSourceWasOpenedWith(t *testing.T) {
	// Small sizes: under -race on two busy cores the engine made as few as
	// 8 fps of 720p after the change, below the old cap, where nothing
	// tells a slow machine from a cap still in force; 360p keeps well above.
	p180 := Settings{Source: "test", Quality: 60, MaxWidth: 320, MaxHeight: 180, FPS: 10, Enabled: true}
	p360 := Settings{Source: "test", Quality: 60, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true}
	cam := func(s Settings) Settings { s.Source = "camera:0"; return s }
	cases := []struct {
		name     string
		from, to Settings
	}{
		{"the test pattern at 180p and 10 fps turned up to 360p and 30 fps sends 360p at up to 30 fps", p180, p360},
		{"the test pattern at 360p and 30 fps turned down to 180p and 10 fps sends 180p at 10 fps", p360, p180},
		{"a camera opened at 180p and 10 fps is reopened at 360p and up to 30 fps", cam(p180), cam(p360)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opens atomic.Int32
			e, h := start(t, c.from, Deps{Open: exclusiveOpen(t, &opens)})
			s := h.Subscribe("test", "", "")
			defer h.Unsubscribe(s)
			if f := next(t, s); f.Header.W != c.from.MaxWidth || f.Header.H != c.from.MaxHeight {
				t.Fatalf("before the change: %dx%d, want %dx%d", f.Header.W, f.Header.H, c.from.MaxWidth, c.from.MaxHeight)
			}
			changed := time.Now()
			if err := e.Update(c.to); err != nil {
				t.Fatal(err)
			}
			w, hh := c.to.MaxWidth, c.to.MaxHeight
			first := firstAt(t, s, w, hh, changed)
			if dw, dh := decode(t, first); dw != w || dh != hh {
				t.Fatalf("the JPEG is %dx%d, its header says %dx%d", dw, dh, w, hh)
			}
			// Under the old cap no two frames come sooner than its interval
			// (less a margin for the pacer); under a higher one many do, even
			// on a loaded machine that captures slower than the new cap.
			oldGap := time.Second / time.Duration(c.from.FPS) * 7 / 10
			fps, sooner := rateOver(t, s, first, w, hh, oldGap)
			if !capFollowed(fps, c.from.FPS, c.to.FPS) {
				t.Fatalf("%.1f fps in the second after the change from a %d to a %d fps cap", fps, c.from.FPS, c.to.FPS)
			}
			if c.to.FPS > c.from.FPS && sooner < 3 {
				t.Fatalf("%d frames came sooner than %v after the one before in the second after the change to a %d fps cap: the old %d fps cap is still in force",
					sooner, oldGap, c.to.FPS, c.from.FPS)
			}
			// The stats strip and /api/state: what was asked, and what goes out.
			st := e.Stats()
			if st.MaxWidth != w || st.MaxHeight != hh || st.FPSCap != c.to.FPS || st.Width != w || st.Height != hh {
				t.Fatalf("stats say %dx%d at most %d fps asked, %dx%d sent; want %dx%d and %d fps, %dx%d sent",
					st.MaxWidth, st.MaxHeight, st.FPSCap, st.Width, st.Height, w, hh, c.to.FPS, w, hh)
			}
			// OutputFPS is measured over the last 2 s: it follows within them.
			deadline := time.Now().Add(10 * time.Second) // generous: only a hang fails here
			for st = e.Stats(); !capFollowed(st.OutputFPS, c.from.FPS, c.to.FPS); st = e.Stats() {
				if time.Now().After(deadline) {
					t.Fatalf("stats say %.1f fps going out, 10 s after the change to %d fps", st.OutputFPS, c.to.FPS)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if n := opens.Load(); n != 2 {
				t.Fatalf("source opened %d times, want twice: once at start, once for the new size and rate", n)
			}
		})
	}
}

func TestSourcesWithTheirOwnSizeAreNotReopenedForANewOne(t *testing.T) {
	cases := []struct {
		name, spec string
		change     func(*Settings)
	}{
		{"a video file keeps playing through a new size", "/videos/clip.mp4", func(s *Settings) { s.MaxWidth, s.MaxHeight = 640, 360 }},
		{"a network stream keeps playing through a new fps cap", "rtsp://cam.local/live", func(s *Settings) { s.FPS = 15 }},
		{"a still picture keeps its size through a new size", "/pictures/logo.png", func(s *Settings) { s.MaxWidth, s.MaxHeight = 640, 360 }},
		{"the test pattern keeps going through a new quality", "test", func(s *Settings) { s.Quality = 20 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opens atomic.Int32
			set := small()
			set.Source = c.spec
			e, h := start(t, set, Deps{Open: exclusiveOpen(t, &opens)})
			s := h.Subscribe("test", "", "")
			defer h.Unsubscribe(s)
			next(t, s)
			c.change(&set)
			if err := e.Update(set); err != nil {
				t.Fatal(err)
			}
			next(t, s)
			if n := opens.Load(); n != 1 {
				t.Fatalf("source opened %d times, want once", n)
			}
		})
	}
}
