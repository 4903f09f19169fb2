package engine

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/source"

	"gocv.io/x/gocv"
)

// fakeSource is a source made of function fields, for the cases a real one
// cannot show on demand (a camera unplugged).
type fakeSource struct {
	ReadImpl  func(*gocv.Mat) error
	CloseImpl func() error
}

func (f *fakeSource) Read(m *gocv.Mat) error { return f.ReadImpl(m) }
func (f *fakeSource) Close() error           { return f.CloseImpl() }

func small() Settings {
	return Settings{Source: "test", Quality: 80, MaxWidth: 320, MaxHeight: 180, FPS: 60, Enabled: true}
}

func start(t *testing.T, s Settings, d Deps) (*Engine, *hub.Hub) {
	t.Helper()
	if d.Hub == nil {
		d.Hub = hub.New()
	}
	e, err := New(s, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, d.Hub
}

// next waits for the subscriber's next frame.
func next(t *testing.T, s *hub.Subscriber) *hub.Frame {
	t.Helper()
	deadline := time.After(15 * time.Second) // generous: make test runs packages side by side under -race
	for {
		if f := s.TakeFrame(); f != nil {
			return f
		}
		select {
		case <-s.Wake():
		case <-deadline:
			t.Fatal("no frame within 15 s")
		}
	}
}

// waitStatus waits for the stream to reach state.
func waitStatus(t *testing.T, h *hub.Hub, state string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for h.Status().State != state {
		if time.Now().After(deadline) {
			t.Fatalf("state = %q, want %q", h.Status().State, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func decode(t *testing.T, f *hub.Frame) (int, int) {
	t.Helper()
	m, err := gocv.IMDecode(f.Data, gocv.IMReadColor)
	if err != nil || m.Empty() {
		t.Fatalf("frame %d is not a JPEG: %v", f.Header.Seq, err)
	}
	defer m.Close()
	return m.Cols(), m.Rows()
}

func TestFramesAreJPEGsWithIncreasingSeq(t *testing.T) {
	_, h := start(t, small(), Deps{})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	var last uint64
	for i := 0; i < 20; i++ {
		f := next(t, s)
		if f.Header.Seq <= last {
			t.Fatalf("seq %d after %d", f.Header.Seq, last)
		}
		last = f.Header.Seq
		w, hh := decode(t, f)
		if w != 320 || hh != 180 || f.Header.W != 320 || f.Header.H != 180 {
			t.Fatalf("frame is %dx%d (header %dx%d), want 320x180", w, hh, f.Header.W, f.Header.H)
		}
		if age := time.Since(time.UnixMicro(f.Header.TS)); age < 0 || age > time.Second {
			t.Fatalf("ts is %v old; it should be the capture time", age)
		}
		if f.Header.Placeholder {
			t.Fatalf("frame %d of a working source is marked as the NO SIGNAL placeholder", f.Header.Seq)
		}
	}
	waitStatus(t, h, protocol.StateLive)
}

func TestNothingIsEncodedWhileNobodyWatches(t *testing.T) {
	var reads atomic.Int32
	open := func(spec source.Spec, opt source.Options) (source.Source, error) {
		src, err := source.Open(spec, opt)
		if err != nil {
			return nil, err
		}
		return &fakeSource{ReadImpl: func(m *gocv.Mat) error { reads.Add(1); return src.Read(m) }, CloseImpl: src.Close}, nil
	}
	e, h := start(t, small(), Deps{Open: open})
	// The capture goroutine says idle once it has seen that nobody watches,
	// just before it parks; a frame read first would have made it live.
	waitStatus(t, h, protocol.StateIdle)
	if n := reads.Load(); n != 0 || h.Latest("") != nil || e.Stats().Encoded != 0 {
		t.Fatalf("with no viewer: %d source reads, %d frames encoded; want none", n, e.Stats().Encoded)
	}
	s := h.Subscribe("test", "", "")
	next(t, s)
	h.Unsubscribe(s)
	waitStatus(t, h, protocol.StateIdle)
}

func TestSettingsChangeWithoutDroppingViewers(t *testing.T) {
	e, h := start(t, small(), Deps{})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	before := next(t, s)
	set := small()
	set.MaxWidth, set.MaxHeight, set.Quality = 160, 160, 10
	if err := e.Update(set); err != nil {
		t.Fatal(err)
	}
	next(t, s) // may have been encoded before the change
	after := next(t, s)
	if w, hh := decode(t, after); w != 160 || hh != 90 {
		t.Fatalf("after resize frame is %dx%d, want 160x90 (aspect kept)", w, hh)
	}
	if len(after.Data) >= len(before.Data) {
		t.Fatalf("quality 10 at a quarter of the area gave %d bytes, not fewer than %d", len(after.Data), len(before.Data))
	}
	if after.Header.Seq <= before.Header.Seq {
		t.Fatal("seq went back after a settings change")
	}
}

func TestABadSourceIsRefusedAndTheOldOneKeepsRunning(t *testing.T) {
	e, h := start(t, small(), Deps{})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	next(t, s)
	bad := small()
	bad.Source = "/nonexistent/line.mp4"
	err := e.Update(bad)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/line.mp4") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
	if got := e.Settings().Source; got != "test" {
		t.Fatalf("source = %q after a failed switch, want test", got)
	}
	next(t, s)
	next(t, s)
}

func TestInvalidSettingsAreRefused(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Settings)
		want   string
	}{
		{"quality 0 is refused", func(s *Settings) { s.Quality = 0 }, "quality"},
		{"quality 101 is refused", func(s *Settings) { s.Quality = 101 }, "quality"},
		{"fps 0 is refused", func(s *Settings) { s.FPS = 0 }, "fps"},
		{"a negative size is refused", func(s *Settings) { s.MaxWidth = -1 }, "max size"},
		{"an empty source is refused", func(s *Settings) { s.Source = "" }, "empty source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSettings()
			c.change(&s)
			if err := s.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate() = %v, want an error about %q", err, c.want)
			}
		})
	}
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("defaults are invalid: %v", err)
	}
}

func TestCameraOffReleasesTheSourceAndOnReopensIt(t *testing.T) {
	var opened, closed atomic.Int32
	open := func(spec source.Spec, opt source.Options) (source.Source, error) {
		src, err := source.Open(spec, opt)
		if err != nil {
			return nil, err
		}
		opened.Add(1)
		return &fakeSource{ReadImpl: src.Read, CloseImpl: func() error { closed.Add(1); return src.Close() }}, nil
	}
	e, h := start(t, small(), Deps{Open: open})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	next(t, s)
	off := small()
	off.Enabled = false
	if err := e.Update(off); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, h, protocol.StateOff)
	if closed.Load() != 1 {
		t.Fatalf("source closed %d times after camera off, want 1", closed.Load())
	}
	if st := e.Stats(); st.Width != 0 || st.Height != 0 || st.FrameBytes != 0 {
		t.Fatalf("with the camera off, stats say %dx%d frames of %d bytes go out; want none", st.Width, st.Height, st.FrameBytes)
	}
	if err := e.Update(small()); err != nil {
		t.Fatal(err)
	}
	next(t, s)
	waitStatus(t, h, protocol.StateLive)
	if opened.Load() != 2 {
		t.Fatalf("source opened %d times, want 2", opened.Load())
	}
}

func TestALostSourceShowsNoSignalAndRecovers(t *testing.T) {
	var unplugged atomic.Bool
	open := func(spec source.Spec, opt source.Options) (source.Source, error) {
		if unplugged.Load() {
			return nil, errors.New("open camera:0: no camera at /dev/video0")
		}
		src, err := source.Open(source.Spec{Kind: source.KindTest}, opt)
		if err != nil {
			return nil, err
		}
		return &fakeSource{
			ReadImpl: func(m *gocv.Mat) error {
				if unplugged.Load() {
					return source.ErrEnded
				}
				return src.Read(m)
			},
			CloseImpl: src.Close,
		}, nil
	}
	set := small()
	set.Source = "camera:0"
	_, h := start(t, set, Deps{Open: open})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	next(t, s)
	unplugged.Store(true)
	waitStatus(t, h, protocol.StateNoSignal)
	if st := h.Status(); !strings.Contains(st.Reason, "video0") && !strings.Contains(st.Reason, "stopped") {
		t.Fatalf("no-signal reason %q does not say why", st.Reason)
	}
	// Frames captured before the unplug may still be on their way (one in
	// the engine's slot, one in the mailbox); the NO SIGNAL picture follows.
	placeholder := next(t, s)
	for i := 1; !placeholder.Header.Placeholder; i++ {
		if i == 4 {
			t.Fatalf("none of the %d frames since the source was lost is the NO SIGNAL placeholder", i)
		}
		placeholder = next(t, s)
	}
	if w, hh := decode(t, placeholder); w != 320 || hh != 180 || placeholder.Header.W != 320 || placeholder.Header.H != 180 {
		t.Fatalf("placeholder is %dx%d (header %dx%d), want the stream's 320x180", w, hh, placeholder.Header.W, placeholder.Header.H)
	}
	unplugged.Store(false)
	waitStatus(t, h, protocol.StateLive)
	// A placeholder drawn just before the source came back may come first.
	for i := 0; next(t, s).Header.Placeholder; i++ {
		if i == 3 {
			t.Fatal("frames are still marked NO SIGNAL after the source came back")
		}
	}
}

func TestFPSCapLimitsOutput(t *testing.T) {
	set := small()
	set.FPS = 10
	// The test pattern paces itself to the fps it is given: at 60 fps it
	// outruns the cap, so only the cap can hold the output to 10.
	open := func(spec source.Spec, opt source.Options) (source.Source, error) {
		opt.FPS = 60
		return source.Open(spec, opt)
	}
	e, h := start(t, set, Deps{Open: open})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	// Seq counts every frame encoded, and ts is each one's capture time: the
	// rate comes from the engine's own figures, not from how promptly this
	// test was scheduled to read them.
	first := next(t, s)
	last := first
	span := func() time.Duration { return time.Duration(last.Header.TS-first.Header.TS) * time.Microsecond }
	for span() < 1500*time.Millisecond {
		last = next(t, s)
	}
	fps := float64(last.Header.Seq-first.Header.Seq) / span().Seconds()
	if fps < 7 || fps > 12 {
		t.Fatalf("%.1f fps (%d frames in %v of capture time) with a 10 fps cap", fps, last.Header.Seq-first.Header.Seq, span())
	}
	if st := e.Stats(); st.Captured < 3*st.Encoded {
		t.Fatalf("%d frames captured for %d encoded: the source did not outrun the cap, so this shows nothing", st.Captured, st.Encoded)
	}
}

func TestFitKeepsAspect(t *testing.T) {
	cases := []struct {
		name                 string
		w, h, mw, mh, ww, wh int
	}{
		{"a frame inside the limit is kept", 640, 480, 1280, 720, 640, 480},
		{"a wide frame fits the width", 1920, 1080, 1280, 720, 1280, 720},
		{"a tall frame fits the height", 1000, 2000, 1280, 720, 360, 720},
		{"zero limits keep the size", 1920, 1080, 0, 0, 1920, 1080},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if w, h := fit(c.w, c.h, c.mw, c.mh); w != c.ww || h != c.wh {
				t.Fatalf("fit = %dx%d, want %dx%d", w, h, c.ww, c.wh)
			}
		})
	}
}

func TestCloseDoesNotWaitForViewersToLeave(t *testing.T) {
	h := hub.New()
	e, err := New(small(), Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	next(t, s) // the engine is live, with a viewer
	done := make(chan struct{})
	go func() { e.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waits 10 s later, with a viewer subscribed")
	}
}
