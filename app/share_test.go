package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
)

func TestNewLinkReplacesTheTokenAtOnce(t *testing.T) {
	saved := smallSaved(t)
	a, rt, st := newApp(t, &saved)
	base := fmt.Sprintf("http://127.0.0.1:%d", a.site.Port())
	if code := status(t, base+"/api/state?token="+saved.Cameras[0].Token); code != 200 {
		t.Fatalf("old token status %d before renewal", code)
	}
	sh, err := a.NewLink()
	if err != nil {
		t.Fatal(err)
	}
	if code := status(t, base+"/api/state?token="+saved.Cameras[0].Token); code != 401 {
		t.Fatalf("old token status %d after renewal, want 401", code)
	}
	if code := status(t, base+"/api/state?token="+sh.Token); code != 200 {
		t.Fatalf("new token status %d", code)
	}
	if onDisk, _ := st.Load(); onDisk.Cameras[0].Token != sh.Token {
		t.Fatal("the new token was not saved")
	}
	if rt.last(EventServerChanged) == nil {
		t.Fatal("the window was not told the link changed")
	}
}

func TestSetPortKeepsTheOldServerWhenTheNewPortIsTaken(t *testing.T) {
	saved := smallSaved(t)
	a, _, st := newApp(t, &saved)
	first := a.site.Port()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr).Port
	want := fmt.Sprintf("port %d is in use by another program: choose another", taken)
	if _, err := a.SetPort(taken); err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if code := status(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", first)); code != 200 {
		t.Fatal("the old server stopped after a failed port change")
	}
	// A remote viewer on the old port: the answer says it lost the picture.
	v, err := client.Dial(context.Background(), fmt.Sprintf("ws://127.0.0.1:%d/ws?token=%s", first, a.cur().Handler().Token()), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// Watching, not just connected: the hub counts it once it is subscribed.
	if _, err := v.NextFrame(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	next := freePort(t)
	sh, err := a.SetPort(next)
	if err != nil {
		t.Fatal(err)
	}
	if sh.Moved != 1 {
		t.Fatalf("the answer says %d remote viewers were disconnected, want 1", sh.Moved)
	}
	if code := status(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", next)); code != 200 {
		t.Fatal("the new port does not serve")
	}
	if _, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", first)); err == nil {
		t.Fatal("the old port still serves")
	}
	if onDisk, _ := st.Load(); onDisk.Port != next {
		t.Fatalf("saved port %d, want %d", onDisk.Port, next)
	}
}

func TestHTTPSForViewersKeepsThePreviewOnPlainLoopback(t *testing.T) {
	saved := smallSaved(t)
	st := config.Store{Path: filepath.Join(t.TempDir(), config.FileName)}
	b, _ := json.Marshal(saved)
	if err := os.WriteFile(st.Path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := New(Deps{Store: st, Assets: fstest.MapFS{}, Listen: "127.0.0.1", TLSDir: t.TempDir(), FindCameras: noCameras})
	if err != nil {
		t.Fatal(err)
	}
	a.startup(&fakeRuntime{})
	defer a.close()
	port := a.site.Port()
	sh, err := a.SetTLS(true)
	if err != nil {
		t.Fatal(err)
	}
	if !sh.TLS || sh.Port != port || !strings.HasPrefix(sh.Links[0].URL, "https://") {
		t.Fatalf("share after HTTPS on: %+v", sh)
	}
	if code := status(t, sh.PreviewBase+"api/state?token="+sh.Token); code != 200 {
		t.Fatalf("preview base %s: %d", sh.PreviewBase, code)
	}
	if onDisk, _ := st.Load(); !onDisk.TLS {
		t.Fatal("HTTPS on was not saved")
	}
	if sh, err = a.SetTLS(false); err != nil || sh.TLS || !strings.HasPrefix(sh.Links[0].URL, "http://") {
		t.Fatalf("HTTPS off: %+v, %v", sh, err)
	}
}
