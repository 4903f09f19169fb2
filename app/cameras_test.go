package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/protocol"
)

// names lists the cameras' names in order, the selected one marked with *.
func names(cams []Camera) string {
	var out []string
	for _, c := range cams {
		n := c.Name
		if c.Selected {
			n += "*"
		}
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

// savedNames lists the cameras the settings file holds, in order.
func savedNames(t *testing.T, st config.Store) string {
	t.Helper()
	s, warnings := st.Load()
	if len(warnings) != 0 {
		t.Fatalf("the saved file gives warnings %q", warnings)
	}
	var out []string
	for _, c := range s.Cameras {
		out = append(out, c.Name)
	}
	return strings.Join(out, ",")
}

func listNow(t *testing.T, a *App) string {
	t.Helper()
	cams, err := a.Cameras()
	if err != nil {
		t.Fatal(err)
	}
	return names(cams)
}

func TestTwoCamerasAreAddedRenamedMovedAndRemovedAndEachChangeIsSaved(t *testing.T) {
	saved := smallSaved(t)
	a, rt, st := newApp(t, &saved)
	steps := []struct {
		name      string
		do        func() error
		err       string
		list      string // the running list, the selected one starred
		savedList string
	}{
		{"the first start has one camera, selected", func() error { return nil }, "", "camera*", "camera"},
		{"a camera added is selected and saved", func() error { _, err := a.AddCamera("dock", ""); return err }, "", "camera,dock*", "camera,dock"},
		{"a taken name is refused", func() error { _, err := a.AddCamera("camera", ""); return err }, "exists", "camera,dock*", "camera,dock"},
		{"a name that cannot be in a link is refused", func() error { _, err := a.AddCamera("../x", ""); return err }, "stream name", "camera,dock*", "camera,dock"},
		{"selecting the first moves the controls to it", func() error { _, err := a.SelectCamera("camera"); return err }, "", "camera*,dock", "camera,dock"},
		{"selecting one that is not there is refused", func() error { _, err := a.SelectCamera("nope"); return err }, "none of that name", "camera*,dock", "camera,dock"},
		{"renaming the selected one keeps it selected", func() error { _, err := a.RenameCamera("camera", "line-1"); return err }, "", "line-1*,dock", "line-1,dock"},
		{"renaming onto a taken name is refused", func() error { _, err := a.RenameCamera("line-1", "dock"); return err }, "exists", "line-1*,dock", "line-1,dock"},
		{"moving the second to the top reorders", func() error { _, err := a.MoveCamera("dock", 0); return err }, "", "dock,line-1*", "dock,line-1"},
		{"moving out of the list is refused", func() error { _, err := a.MoveCamera("dock", 2); return err }, "position 2", "dock,line-1*", "dock,line-1"},
		{"removing the selected one selects the first", func() error { _, err := a.RemoveCamera("line-1"); return err }, "", "dock*", "dock"},
		{"the last camera stays", func() error { _, err := a.RemoveCamera("dock"); return err }, "last camera", "dock*", "dock"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			err := s.do()
			if s.err == "" && err != nil {
				t.Fatal(err)
			}
			if s.err != "" && (err == nil || !strings.Contains(err.Error(), s.err)) {
				t.Fatalf("err = %v, want one about %q", err, s.err)
			}
			if got := listNow(t, a); got != s.list {
				t.Fatalf("cameras %s, want %s", got, s.list)
			}
			if got := savedNames(t, st); got != s.savedList {
				t.Fatalf("saved cameras %s, want %s", got, s.savedList)
			}
		})
	}
	if cams, ok := rt.last(EventCameras).([]Camera); !ok || names(cams) != "dock*" {
		t.Fatalf("the window was last told of cameras %v", rt.last(EventCameras))
	}
}

func TestTheControlsActOnTheSelectedCameraAndTheRestartKeepsEach(t *testing.T) {
	saved := smallSaved(t)
	a, _, st := newApp(t, &saved)
	if _, err := a.AddCamera("dock", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetQuality(33); err != nil { // dock is selected
		t.Fatal(err)
	}
	if _, err := a.SelectCamera("camera"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetFPS(12); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MoveCamera("dock", 0); err != nil {
		t.Fatal(err)
	}
	dock, cam := a.site.Station("dock").Settings(), a.site.Station("camera").Settings()
	if dock.Quality != 33 || dock.FPS == 12 || cam.FPS != 12 || cam.Quality == 33 {
		t.Fatalf("running: dock %+v, camera %+v", dock, cam)
	}
	a.close()

	// The next start runs the same cameras, in the same order, with the
	// same link.
	b, err := New(Deps{Store: st, Assets: fstest.MapFS{}, Listen: "127.0.0.1", FindCameras: noCameras})
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if got := listNow(t, b); got != "dock*,camera" {
		t.Fatalf("after a restart the cameras are %s", got)
	}
	dock, cam = b.site.Station("dock").Settings(), b.site.Station("camera").Settings()
	if dock.Quality != 33 || cam.FPS != 12 {
		t.Fatalf("after a restart: dock %+v, camera %+v", dock, cam)
	}
	for _, st := range b.site.Stations() {
		if st.Handler().Token() != saved.Cameras[0].Token {
			t.Fatalf("camera %s has token %q after a restart, want the one link of all", st.Name(), st.Handler().Token())
		}
	}
}

func TestEachCameraHasItsLinkAndThePreviewAndAllCamerasOneMore(t *testing.T) {
	saved := smallSaved(t)
	a, _, _ := newApp(t, &saved)
	one, _ := a.Share()
	if len(one.Grid) != 0 || !strings.Contains(one.Links[0].URL, "/?token=") {
		t.Fatalf("one camera: links %+v, grid %+v", one.Links, one.Grid)
	}
	sh, err := a.AddCamera("dock", "")
	if err != nil {
		t.Fatal(err)
	}
	if sh.Camera != "dock" || !strings.Contains(sh.Links[0].URL, "/s/dock/?token=") || !strings.HasSuffix(sh.PreviewBase, "/s/dock/") {
		t.Fatalf("the new camera's share %+v", sh)
	}
	if len(sh.Grid) == 0 || !strings.HasSuffix(sh.Grid[0].URL, "/?token="+saved.Cameras[0].Token) || !strings.HasPrefix(sh.Grid[0].QR, "data:image/png") {
		t.Fatalf("grid links %+v", sh.Grid)
	}
	// Each tile of the window's preview reaches its own camera.
	cams, _ := a.Cameras()
	for _, c := range cams {
		v, err := client.Dial(context.Background(), strings.Replace(c.PreviewBase, "http:", "ws:", 1)+"ws?token="+c.Token, nil)
		if err != nil {
			t.Fatalf("tile of %s: %v", c.Name, err)
		}
		if got := helloStream(t, v); got != c.Name {
			t.Fatalf("tile of %s reached stream %q", c.Name, got)
		}
		v.Close()
	}
	// A new link is one link again for all: the grid keeps working.
	nl, err := a.NewLink()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range a.site.Stations() {
		if st.Handler().Token() != nl.Token {
			t.Fatalf("after a new link %s has another token", st.Name())
		}
	}
	if len(nl.Grid) == 0 || !strings.HasSuffix(nl.Grid[0].URL, "/?token="+nl.Token) {
		t.Fatalf("grid after a new link %+v", nl.Grid)
	}
}

// helloStream is the stream the server's hello names.
func helloStream(t *testing.T, v *client.Viewer) string {
	t.Helper()
	for {
		m, err := v.Next(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m.Event == "hello" {
			var h protocol.Hello
			if err := json.Unmarshal(m.Raw, &h); err != nil {
				t.Fatal(err)
			}
			return h.Stream
		}
	}
}

func TestAnOlderSettingsFileOfOneCameraKeepsItsLink(t *testing.T) {
	port := freePort(t)
	st := config.Store{Path: filepath.Join(t.TempDir(), config.FileName)}
	old := fmt.Sprintf(`{"stream":{"source":"test","quality":41,"maxWidth":320,"maxHeight":180,"fps":30,"enabled":true},"port":%d,"token":"old-token-0123456789ab","tls":false}`, port)
	if err := os.WriteFile(st.Path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := New(Deps{Store: st, Assets: fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}, Listen: "127.0.0.1", FindCameras: noCameras})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if notices, _ := a.Notices(); len(notices) != 0 {
		t.Fatalf("notices %q", notices)
	}
	if got := a.cur().Settings().Quality; got != 41 {
		t.Fatalf("quality %d, want the old file's 41", got)
	}
	// The old link, at / and /ws, still opens it.
	for _, path := range []string{"/?token=", "/api/state?token="} {
		if code := status(t, fmt.Sprintf("http://127.0.0.1:%d%sold-token-0123456789ab", port, path)); code != 200 {
			t.Fatalf("%s with the old token: %d", path, code)
		}
	}
	var onDisk map[string]json.RawMessage
	b, _ := os.ReadFile(st.Path)
	if err := json.Unmarshal(b, &onDisk); err != nil || onDisk["cameras"] == nil {
		t.Fatalf("the file was not written as a list of cameras: %s", b)
	}
}

func TestTwoRemovalsAtOnceLeaveOneCamera(t *testing.T) {
	saved := smallSaved(t)
	a, _, _ := newApp(t, &saved)
	if _, err := a.AddCamera("dock", ""); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, n := range []string{"camera", "dock"} {
		go func() { _, err := a.RemoveCamera(n); errs <- err }()
	}
	got := []error{<-errs, <-errs}
	if !slices.ContainsFunc(got, func(err error) bool { return errors.Is(err, ErrLastCamera) }) || len(a.site.Stations()) != 1 {
		t.Fatalf("errors %v, %d cameras left", got, len(a.site.Stations()))
	}
}
