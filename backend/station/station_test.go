package station

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/internal/matcheck"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

// small is a small, fast stream on any free port: a fixed one collides
// with packages tested side by side and with a real station on 8188.
func small() config.Settings {
	s := config.Defaults()
	s.Stream.MaxWidth, s.Stream.MaxHeight, s.Stream.FPS = 160, 90, 30
	s.Token = "station-token-0123456789"
	s.Port = 0
	return s
}

// freePort is a port free now, for a test whose settings are saved: a
// saved port must be a real one.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func start(t *testing.T, s config.Settings, d Deps) *Station {
	t.Helper()
	d.Listen = "127.0.0.1"
	if d.Assets == nil {
		d.Assets = fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}
	}
	st, err := New(s, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// goroutinesBack waits until no more goroutines run than base.
func goroutinesBack(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConcurrentChangesLeaveRunningAndSavedEqual(t *testing.T) {
	store := config.Store{Path: filepath.Join(t.TempDir(), config.FileName)}
	s := small()
	s.Port = freePort(t)
	st := start(t, s, Deps{Store: &store})
	// Operators click fast, and Wails runs each call on its own goroutine:
	// four controls, each changed many times at once.
	changes := []func(i int) func(*engine.Settings){
		func(i int) func(*engine.Settings) { return func(s *engine.Settings) { s.Quality = 40 + i } },
		func(i int) func(*engine.Settings) { return func(s *engine.Settings) { s.FPS = 5 + i } },
		func(i int) func(*engine.Settings) {
			return func(s *engine.Settings) { s.MaxWidth, s.MaxHeight = 160+16*i, 90+9*i }
		},
		func(i int) func(*engine.Settings) { return func(s *engine.Settings) { s.Enabled = i%2 == 0 } },
	}
	var wg sync.WaitGroup
	for _, change := range changes {
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := st.Update(change(i)); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	onDisk, warnings := store.Load()
	if len(warnings) > 0 {
		t.Fatal(warnings)
	}
	running := st.Settings()
	if fmt.Sprintf("%+v", running) != fmt.Sprintf("%+v", onDisk.Stream) {
		t.Fatalf("running %+v\nsaved   %+v", running, onDisk.Stream)
	}
	if fmt.Sprintf("%+v", st.Saved().Stream) != fmt.Sprintf("%+v", onDisk.Stream) {
		t.Fatalf("the station's own copy %+v differs from the file %+v", st.Saved().Stream, onDisk.Stream)
	}
}

func TestAFailedStartClosesWhatItOpened(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	base := runtime.NumGoroutine()
	s := small()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	if _, err := New(s, Deps{Listen: "127.0.0.1", Assets: fstest.MapFS{}}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("err = %v, want the port in use", err)
	}
	s.Port = 0
	// The push is refused once the engine and the server run: its publish
	// token is too short for any relay.
	s.Push = config.Push{Enabled: true, Relay: "ws://127.0.0.1:1", Stream: "line", PublishToken: "x"}
	if _, err := New(s, Deps{Listen: "127.0.0.1", Assets: fstest.MapFS{}}); err == nil || !strings.Contains(err.Error(), "push") {
		t.Fatalf("err = %v, want the push refused", err)
	}
	goroutinesBack(t, base)
}

func TestCloseWaitsForViewersAndEverythingItStarted(t *testing.T) {
	base := runtime.NumGoroutine()
	st, err := New(small(), Deps{Listen: "127.0.0.1", Assets: fstest.MapFS{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d/ws?token=%s", st.Port(), small().Token), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	st.Close()
	v.Close()
	goroutinesBack(t, base)
}

func TestAFallbackStartSaysWhyAndKeepsTheChoice(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := small()
	s.Stream.Source = "camera:42"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	st := start(t, s, Deps{Fallback: true})
	if got := st.Settings().Source; got != "test" {
		t.Fatalf("running source %q, want the test pattern", got)
	}
	if st.Port() == s.Port || st.Port() == 0 {
		t.Fatalf("port %d, want another free one", st.Port())
	}
	if n := st.Notices(); len(n) != 2 || !strings.Contains(n[0], "camera:42") || !strings.Contains(n[1], "in use") {
		t.Fatalf("notices %q", n)
	}
	if saved := st.Saved(); saved.Stream.Source != "camera:42" || saved.Port != s.Port {
		t.Fatalf("saved %+v, want the camera and the port kept", saved)
	}
}

func TestPushFromURLReadsServesIngestURL(t *testing.T) {
	cases := []struct {
		in, relay, stream, err string
	}{
		{"wss://relay.example.com:8188/ingest/line-3", "wss://relay.example.com:8188", "line-3", ""},
		{"ws://10.0.0.5/fc/ingest/a.b?x=1", "ws://10.0.0.5/fc", "a.b", ""},
		{"wss://relay.example.com/s/line/", "", "", "ingest URL"},
		{"wss://relay.example.com/ingest/", "", "", "ingest URL"},
		{"wss://relay.example.com/ingest/a/b", "", "", "ingest URL"},
		{"wss://relay.example.com/ingest/a%20b", "", "", "stream name"},
	}
	for _, c := range cases {
		p, err := PushFromURL(c.in, "publish-token-0123456789")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want one about %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || p.Relay != c.relay || p.Stream != c.stream || !p.Enabled {
			t.Errorf("%s: %+v, %v", c.in, p, err)
		}
	}
}

func TestMovingThePortTellsRemoteViewersAndCountsThem(t *testing.T) {
	st := start(t, small(), Deps{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d/ws?token=%s", st.Port(), small().Token), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	next := freePort(t) // the operator types a number: the test needs a free one
	moved, err := st.SetPort(next)
	if err != nil || moved != 1 {
		t.Fatalf("SetPort = %d, %v; want 1 viewer moved", moved, err)
	}
	for {
		m, err := v.Next(5 * time.Second)
		if err != nil {
			t.Fatalf("no bye before the connection ended: %v", err)
		}
		if m.Event != "bye" {
			continue
		}
		var bye protocol.Bye
		if err := json.Unmarshal(m.Raw, &bye); err != nil || !bye.Moved || !strings.Contains(bye.Reason, "new link") {
			t.Fatalf("bye %s, want moved with a reason", m.Raw)
		}
		return
	}
}

func TestPushFromURLTakesSeveralRelaysOfACluster(t *testing.T) {
	p, err := PushFromURL("ws://a:8188/ingest/line, wss://b/ingest/line", "publish-token-0123456789")
	if err != nil || p.Relay != "ws://a:8188,wss://b" || p.Stream != "line" {
		t.Fatalf("%+v, %v", p, err)
	}
	cfg, err := pushConfig(p, "view-token-0123456789", "")
	if err != nil || cfg.URL != "ws://a:8188/ingest/line" || len(cfg.Fallbacks) != 1 || cfg.Fallbacks[0] != "wss://b/ingest/line" {
		t.Fatalf("%+v, %v", cfg, err)
	}
	if _, err := PushFromURL("ws://a/ingest/line,ws://b/ingest/other", "publish-token-0123456789"); err == nil || !strings.Contains(err.Error(), "same stream") {
		t.Fatalf("err = %v, want the names told apart", err)
	}
}
