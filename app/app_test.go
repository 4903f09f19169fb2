package app

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/config"
	"framecast/backend/vision"
	"framecast/internal/matcheck"
	"framecast/internal/testclip"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

// noCameras stands in for camera discovery: a test must never open the
// developer's webcam.
func noCameras() ([]Device, error) { return []Device{}, nil }

// freePort is a port nobody listens on now. A saved port and a port the
// person moves the server to are numbers from 1 to 65535, so these tests
// need one; it is free for as long as nothing else on the machine takes it.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newApp starts an app whose settings file holds saved (nil: no file).
func newApp(t *testing.T, saved *config.Settings) (*App, *fakeRuntime, config.Store) {
	t.Helper()
	st := config.Store{Path: filepath.Join(t.TempDir(), config.FileName)}
	if saved != nil {
		b, _ := json.Marshal(saved)
		if err := os.WriteFile(st.Path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	assets := fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}
	a, err := New(Deps{Store: st, Assets: assets, Listen: "127.0.0.1", FindCameras: noCameras})
	if err != nil {
		t.Fatal(err)
	}
	rt := &fakeRuntime{}
	a.startup(rt)
	t.Cleanup(a.close)
	return a, rt, st
}

func smallSaved(t *testing.T) config.Settings {
	s := config.Defaults()
	s.Cameras[0].Stream.MaxWidth, s.Cameras[0].Stream.MaxHeight = 320, 180
	s.Port = freePort(t)
	s.Cameras[0].Token = "saved-token-0123456789"
	return s
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestFirstStartMakesAndSavesAToken(t *testing.T) {
	a, _, st := newApp(t, nil)
	saved, warnings := st.Load()
	if len(warnings) != 0 || len(saved.Cameras[0].Token) < 22 {
		t.Fatalf("saved %+v %q, want a generated token of 128 bits", saved, warnings)
	}
	sh, err := a.Share()
	if err != nil || sh.Token != saved.Cameras[0].Token || len(sh.Links) == 0 || !strings.HasPrefix(sh.Links[0].QR, "data:image/png;base64,") {
		t.Fatalf("share = %+v, %v", sh, err)
	}
}

func TestTheFirstStartShowsTheCameraIfThereIsOne(t *testing.T) {
	st := config.Store{Path: filepath.Join(t.TempDir(), config.FileName)}
	find := func() ([]Device, error) { return []Device{{Spec: "camera:42", Name: "Fake"}}, nil }
	a, err := New(Deps{Store: st, Assets: fstest.MapFS{}, Listen: "127.0.0.1", FindCameras: find})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	// There is no /dev/video42, so the stream falls back to the test
	// pattern, and the camera stays the choice for next time.
	if onDisk, _ := st.Load(); onDisk.Cameras[0].Stream.Source != "camera:42" {
		t.Fatalf("first start saved source %q, want the camera found", onDisk.Cameras[0].Stream.Source)
	}
	if notices, _ := a.Notices(); len(notices) != 1 || !strings.Contains(notices[0], "camera:42") {
		t.Fatalf("notices %q", notices)
	}
}

func TestASavedSourceThatFailsFallsBackWithoutLosingIt(t *testing.T) {
	saved := smallSaved(t)
	saved.Cameras[0].Stream.Source = "camera:42"
	a, _, st := newApp(t, &saved)
	if got := a.cur().Settings().Source; got != "test" {
		t.Fatalf("running source %q, want the test pattern", got)
	}
	notices, _ := a.Notices()
	if len(notices) != 1 || !strings.Contains(notices[0], "camera:42") {
		t.Fatalf("notices %q, want one naming camera:42", notices)
	}
	if onDisk, _ := st.Load(); onDisk.Cameras[0].Stream.Source != "camera:42" {
		t.Fatalf("the saved source became %q", onDisk.Cameras[0].Stream.Source)
	}
	if _, err := a.SetQuality(33); err != nil {
		t.Fatal(err)
	}
	if onDisk, _ := st.Load(); onDisk.Cameras[0].Stream.Source != "camera:42" || onDisk.Cameras[0].Stream.Quality != 33 {
		t.Fatalf("after a quality change the file says %+v; want camera:42 kept and quality 33", onDisk.Cameras[0].Stream)
	}
}

func TestASavedPortInUseFallsBackWithoutLosingIt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	saved := smallSaved(t)
	saved.Port = ln.Addr().(*net.TCPAddr).Port
	a, _, st := newApp(t, &saved)
	sh, _ := a.Share()
	if sh.Port == saved.Port || sh.Port == 0 {
		t.Fatalf("port %d, want another free one", sh.Port)
	}
	notices, _ := a.Notices()
	if len(notices) != 1 || !strings.Contains(notices[0], "in use") {
		t.Fatalf("notices %q, want one saying the port is in use", notices)
	}
	if onDisk, _ := st.Load(); onDisk.Port != saved.Port {
		t.Fatalf("saved port became %d", onDisk.Port)
	}
}

func TestControlsApplyAndPersistOrRefuseWithAReason(t *testing.T) {
	saved := smallSaved(t)
	a, _, st := newApp(t, &saved)
	cases := []struct {
		name  string
		do    func() error
		err   string
		check func(config.Settings) bool
	}{
		{"quality 50 applies and is saved", func() error { _, err := a.SetQuality(50); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Quality == 50 }},
		{"quality 0 is refused", func() error { _, err := a.SetQuality(0); return err }, "quality",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Quality == 50 }},
		{"480p applies", func() error { _, err := a.SetResolution("480p"); return err }, "",
			func(s config.Settings) bool {
				return s.Cameras[0].Stream.MaxWidth == 854 && s.Cameras[0].Stream.MaxHeight == 480
			}},
		{"an unknown resolution is refused", func() error { _, err := a.SetResolution("8k"); return err }, "resolution",
			func(s config.Settings) bool { return s.Cameras[0].Stream.MaxWidth == 854 }},
		{"fps 15 applies", func() error { _, err := a.SetFPS(15); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.FPS == 15 }},
		{"JPEG only applies and is saved", func() error { _, err := a.SetCodec("jpeg"); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Codec == "jpeg" }},
		{"an unknown codec is refused", func() error { _, err := a.SetCodec("vp9"); return err }, "codec",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Codec == "jpeg" }},
		{"auto applies again", func() error { _, err := a.SetCodec("auto"); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Codec == "auto" }},
		{"an H.264 bitrate of 1.5 Mbit/s applies and is saved", func() error { _, err := a.SetBitrate(1_500_000); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Bitrate == 1_500_000 }},
		{"a bitrate of 10 bit/s is refused", func() error { _, err := a.SetBitrate(10); return err }, "bitrate",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Bitrate == 1_500_000 }},
		{"the automatic bitrate applies again", func() error { _, err := a.SetBitrate(0); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Bitrate == 0 }},
		{"camera off applies", func() error { _, err := a.SetEnabled(false); return err }, "",
			func(s config.Settings) bool { return !s.Cameras[0].Stream.Enabled }},
		{"camera on applies", func() error { _, err := a.SetEnabled(true); return err }, "",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Enabled }},
		{"a missing file is refused and named", func() error { _, err := a.SetSource("/nonexistent/line.mp4"); return err }, "/nonexistent/line.mp4",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Source == "test" }},
		{"a bad URL is refused", func() error { _, err := a.SetSource("ftp://x/y"); return err }, "unsupported scheme",
			func(s config.Settings) bool { return s.Cameras[0].Stream.Source == "test" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.do()
			if c.err == "" && err != nil {
				t.Fatal(err)
			}
			if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("err = %v, want one about %q", err, c.err)
			}
			onDisk, _ := st.Load()
			if !c.check(onDisk) {
				t.Fatalf("saved settings %+v", onDisk.Cameras[0].Stream)
			}
			running := config.Settings{Cameras: []config.Camera{{Stream: a.cur().Settings()}}}
			if !c.check(running) {
				t.Fatalf("running settings %+v", running.Cameras[0].Stream)
			}
		})
	}
}

func TestPickFileSwitchesToTheChosenVideoAndCancelChangesNothing(t *testing.T) {
	saved := smallSaved(t)
	a, rt, _ := newApp(t, &saved)
	rt.OpenFileImpl = func(string) (string, error) { return "", nil }
	if s, err := a.PickFile(); err != nil || s.Source != "test" {
		t.Fatalf("cancelled dialog gave %+v, %v", s, err)
	}
	path := testclip.Write(t, 5, 25, 160, 120)
	rt.OpenFileImpl = func(string) (string, error) { return path, nil }
	if s, err := a.PickFile(); err != nil || s.Source != path {
		t.Fatalf("picked file gave %+v, %v", s, err)
	}
	rt.OpenFileImpl = func(string) (string, error) { return "", fmt.Errorf("portal unavailable") }
	if _, err := a.PickFile(); err == nil || !strings.Contains(err.Error(), "portal unavailable") {
		t.Fatalf("dialog failure err = %v", err)
	}
}

func TestStatsReachTheWindowAFewTimesASecond(t *testing.T) {
	saved := smallSaved(t)
	_, rt, _ := newApp(t, &saved)
	// Three events, then the gaps between them: the loop must neither
	// stay silent nor flood the window.
	var times []time.Time
	deadline := time.Now().Add(5 * time.Second)
	for len(times) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d stats events in 5 s, want 3", len(times))
		}
		times = rt.times(EventStats)
		if len(times) < 3 {
			rt.wait()
		}
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < statsEvery*8/10 || gap > statsEvery*3 {
			t.Fatalf("stats events %v apart, want about %v", gap, statsEvery)
		}
	}
	if _, ok := rt.last(EventStats).(Stats); !ok {
		t.Fatalf("stats event carries %T", rt.last(EventStats))
	}
}

func TestTheChainIsSetAsAWholeAndABadOneChangesNothing(t *testing.T) {
	saved := smallSaved(t)
	a, _, st := newApp(t, &saved)
	infos, _ := a.Processors()
	if len(infos) < 7 {
		t.Fatalf("%d processors offered, want at least 7", len(infos))
	}
	good := []vision.Item{{Name: "faces"}, {Name: "overlay"}}
	if got, err := a.SetChain(good); err != nil || !reflect.DeepEqual(got, good) {
		t.Fatalf("SetChain = %+v, %v", got, err)
	}
	if onDisk, _ := st.Load(); !reflect.DeepEqual(onDisk.Cameras[0].Stream.Process, good) {
		t.Fatalf("saved chain %+v", onDisk.Cameras[0].Stream.Process)
	}
	bad := []vision.Item{{Name: "blur", Params: map[string]float64{"size": -1}}}
	got, err := a.SetChain(bad)
	if err == nil || !strings.Contains(err.Error(), "blur size -1") || !reflect.DeepEqual(got, good) {
		t.Fatalf("bad chain gave %+v, %v; want the old chain and a reason", got, err)
	}
	if now, _ := a.Chain(); !reflect.DeepEqual(now, good) {
		t.Fatalf("chain in force %+v", now)
	}
}

func TestTheWindowFitsTheScreenItOpensOn(t *testing.T) {
	cases := []struct {
		name             string
		areaW, areaH     int
		w, h, minW, minH int
	}{
		{"an unknown screen gets the sizes the layout was made for", 0, 0, 1280, 800, 1024, 640},
		{"a large screen gets them too", 1920, 1050, 1280, 800, 1024, 640},
		{"a 1024×640 screen gets a window no larger, with room for a title bar", 1024, 640, 1024, 600, 1024, 600},
		{"a screen with a panel gets a window that fits its work area", 1366, 700, 1280, 660, 1024, 640},
		{"a tiny screen shrinks the minimum too", 800, 480, 800, 440, 800, 440},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, h, minW, minH := windowSize(c.areaW, c.areaH)
			if w != c.w || h != c.h || minW != c.minW || minH != c.minH {
				t.Fatalf("windowSize(%d, %d) = %d×%d min %d×%d, want %d×%d min %d×%d",
					c.areaW, c.areaH, w, h, minW, minH, c.w, c.h, c.minW, c.minH)
			}
		})
	}
}
