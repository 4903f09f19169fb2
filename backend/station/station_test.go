package station

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/internal/matcheck"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

// small is a small, fast stream.
func small() config.Camera {
	s := engine.DefaultSettings()
	s.MaxWidth, s.MaxHeight, s.FPS = 160, 90, 30
	return config.Camera{Name: "line", Stream: s, Token: "station-token-0123456789"}
}

// served is a station whose endpoints a test server serves at its root,
// as the first stream of a site is.
type served struct {
	*Station
	srv *httptest.Server
}

// Port is the test server's port.
func (s *served) Port() int { return s.srv.Listener.Addr().(*net.TCPAddr).Port }

func start(t *testing.T, c config.Camera, d Deps) *served {
	t.Helper()
	if d.Assets == nil {
		d.Assets = fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}
	}
	st, err := New(c, d)
	if err != nil {
		t.Fatal(err)
	}
	s := &served{Station: st}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { st.Handler().ServeHTTP(w, r) }))
	t.Cleanup(func() { st.Close(); s.srv.Close() })
	return s
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
	var mu sync.Mutex
	var onDisk config.Camera
	st := start(t, small(), Deps{Save: func(c config.Camera) error { mu.Lock(); onDisk = c; mu.Unlock(); return nil }})
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
	mu.Lock()
	defer mu.Unlock()
	running := st.Settings()
	if fmt.Sprintf("%+v", running) != fmt.Sprintf("%+v", onDisk.Stream) {
		t.Fatalf("running %+v\nsaved   %+v", running, onDisk.Stream)
	}
	if fmt.Sprintf("%+v", st.Saved().Stream) != fmt.Sprintf("%+v", onDisk.Stream) {
		t.Fatalf("the station's own copy %+v differs from the file %+v", st.Saved().Stream, onDisk.Stream)
	}
}

func TestAFailedStartClosesWhatItOpened(t *testing.T) {
	base := runtime.NumGoroutine()
	s := small()
	// The push is refused once the engine and the endpoints run: its
	// publish token is too short for any relay.
	s.Push = config.Push{Enabled: true, Relay: "ws://127.0.0.1:1", Stream: "line", PublishToken: "x"}
	if _, err := New(s, Deps{Assets: fstest.MapFS{}}); err == nil || !strings.Contains(err.Error(), "push") {
		t.Fatalf("err = %v, want the push refused", err)
	}
	goroutinesBack(t, base)
}

func TestCloseWaitsForViewersAndEverythingItStarted(t *testing.T) {
	base := runtime.NumGoroutine()
	st, err := New(small(), Deps{Assets: fstest.MapFS{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st.Handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws?token="+small().Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	st.Close()
	v.Close()
	srv.Close()
	goroutinesBack(t, base)
}

func TestAFallbackStartSaysWhyAndKeepsTheChoice(t *testing.T) {
	s := small()
	s.Stream.Source = "camera:42"
	st := start(t, s, Deps{Fallback: true})
	if got := st.Settings().Source; got != "test" {
		t.Fatalf("running source %q, want the test pattern", got)
	}
	if n := st.Notices(); len(n) != 1 || !strings.Contains(n[0], "camera:42") {
		t.Fatalf("notices %q", n)
	}
	if saved := st.Saved(); saved.Stream.Source != "camera:42" {
		t.Fatalf("saved %+v, want the camera kept", saved)
	}
}
