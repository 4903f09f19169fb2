package site

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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

const (
	shared = "shared-token-0123456789"
	admin  = "admin-token-0123456789"
)

var assets = fstest.MapFS{
	"viewer.html": {Data: []byte("<title>viewer</title>")},
	"grid.html":   {Data: []byte("<title>grid</title>")},
}

// cam is a small, fast test-pattern stream.
func cam(name, token string) config.Camera {
	s := engine.DefaultSettings()
	s.MaxWidth, s.MaxHeight, s.FPS = 160, 90, 30
	return config.Camera{Name: name, Stream: s, Token: token, Renditions: []protocol.Rendition{}}
}

// saves records what the site saves.
type saves struct {
	mu   sync.Mutex
	last Config
	n    int
}

func (s *saves) save(c Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.n = c, s.n+1
	return nil
}

func (s *saves) get() (Config, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.n
}

func start(t *testing.T, c Config, sv *saves) *Site {
	t.Helper()
	d := Deps{Assets: assets, Listen: "127.0.0.1"}
	if sv != nil {
		d.Save = sv.save
	}
	s, err := New(c, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func base(s *Site) string { return fmt.Sprintf("127.0.0.1:%d", s.Port()) }

// watch connects a viewer to path (from /, with the query) and waits for
// its first frame.
func watch(t *testing.T, s *Site, path string) *client.Viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+base(s)+path, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() { v.Close() })
	if _, err := v.NextFrame(10 * time.Second); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func get(t *testing.T, url string, header http.Header) (int, string) {
	t.Helper()
	return do(t, http.MethodGet, url, header, "")
}

func do(t *testing.T, method, url string, header http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

func TestEachStreamIsServedAtItsNameAndTheFirstAlsoAtTheRoot(t *testing.T) {
	s := start(t, Config{Streams: []config.Camera{cam("line-1", shared), cam("line-2", "line-2-token-0123456789")}}, nil)
	watch(t, s, "/s/line-1/ws?token="+shared)
	watch(t, s, "/s/line-2/ws?token=line-2-token-0123456789")
	watch(t, s, "/ws?token="+shared) // the single-stream link
	for _, path := range []string{
		"/s/line-2/ws?token=" + shared,                  // another stream's token
		"/ws?token=line-2-token-0123456789",             // the root is the first stream's
		"/s/nope/snapshot.jpg?token=" + shared,          // no such stream: as a wrong token
		"/s/line-1/snapshot.jpg?token=wrong-0123456789", // a wrong token
	} {
		if code, _ := get(t, "http://"+base(s)+path, nil); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", path, code)
		}
	}
	if code, body := get(t, "http://"+base(s)+"/s/line-2/snapshot.jpg?token=line-2-token-0123456789", nil); code != 200 || !strings.HasPrefix(body, "\xff\xd8") {
		t.Errorf("line-2's snapshot: %d", code)
	}
}

func TestTheRootShowsTheGridForATokenThatOpensSeveralStreams(t *testing.T) {
	own := "own-token-0123456789"
	s := start(t, Config{Streams: []config.Camera{cam("a", shared), cam("b", shared), cam("c", own)}}, nil)
	if _, body := get(t, "http://"+base(s)+"/?token="+shared, nil); !strings.Contains(body, "grid") {
		t.Errorf("/ with the shared token: %q, want the grid page", body)
	}
	code, body := get(t, "http://"+base(s)+"/api/streams?token="+shared, nil)
	var list struct {
		Streams []struct{ Name, Path string }
	}
	if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil || len(list.Streams) != 2 ||
		list.Streams[0].Name != "a" || list.Streams[1].Path != "s/b/" {
		t.Fatalf("/api/streams: %d %s", code, body)
	}
	// A token that opens one stream that is not the first goes to it.
	req, _ := http.NewRequest(http.MethodGet, "http://"+base(s)+"/?token="+own, nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/s/c/?token="+own {
		t.Errorf("/ with c's token: %d to %q", resp.StatusCode, loc)
	}
	if code, _ := get(t, "http://"+base(s)+"/api/streams?token=wrong-0123456789", nil); code != 401 {
		t.Errorf("/api/streams with a wrong token: %d", code)
	}
	// With one stream the root is its viewer, as before there were several.
	one := start(t, Config{Streams: []config.Camera{cam("only", shared)}}, nil)
	if _, body := get(t, "http://"+base(one)+"/?token="+shared, nil); !strings.Contains(body, "viewer") {
		t.Errorf("/ of a single stream: %q, want its viewer", body)
	}
}

func TestMovingThePortTellsRemoteViewersAndCountsThem(t *testing.T) {
	s := start(t, Config{Streams: []config.Camera{cam("a", shared), cam("b", shared)}}, nil)
	v := watch(t, s, "/s/b/ws?token="+shared)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	next := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	moved, err := s.SetPort(next)
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
		break
	}
	watch(t, s, "/s/b/ws?token="+shared)
}

func TestAPortInUseIsAnErrorUnlessFallingBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	c := Config{Port: port, Streams: []config.Camera{cam("a", shared)}}
	if _, err := New(c, Deps{Assets: assets, Listen: "127.0.0.1"}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("err = %v, want the port in use", err)
	}
	s, err := New(c, Deps{Assets: assets, Listen: "127.0.0.1", Fallback: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Port() == port || len(s.Notices()) != 1 || !strings.Contains(s.Notices()[0], "in use") {
		t.Fatalf("port %d, notices %q", s.Port(), s.Notices())
	}
}
