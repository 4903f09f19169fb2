package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/internal/matcheck"

	"gocv.io/x/gocv"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

const token = "test-token-0123456789"

// stream is a real engine and server on a free loopback port.
type stream struct {
	srv  *Server
	eng  *engine.Engine
	hub  *hub.Hub
	base string // http://127.0.0.1:port
}

func smallSettings() engine.Settings {
	return engine.Settings{Source: "test", Quality: 70, MaxWidth: 320, MaxHeight: 180, FPS: 30, Enabled: true}
}

func startStream(t *testing.T, s engine.Settings) *stream {
	t.Helper()
	return startStreamWith(t, s, httpx.Limits{})
}

func startStreamWith(t *testing.T, s engine.Settings, limits httpx.Limits) *stream {
	t.Helper()
	return startStreamOf(t, s, engine.Deps{}, Deps{Limits: limits, Origins: []string{"wails://wails"}})
}

// startStreamOf is startStream with the engine's and the server's Deps as
// given; their hub, stream and (when none) assets are filled in here.
func startStreamOf(t *testing.T, s engine.Settings, ed engine.Deps, d Deps) *stream {
	t.Helper()
	h := hub.New()
	ed.Hub = h
	eng, err := engine.New(s, ed)
	if err != nil {
		t.Fatal(err)
	}
	d.Hub, d.Stream = h, eng
	if d.Assets == nil {
		d.Assets = fstest.MapFS{
			"viewer.html":      {Data: []byte("<!doctype html><title>viewer</title>")},
			"assets/viewer.js": {Data: []byte("console.log(1)")},
		}
	}
	srv, err := New(Config{Addr: "127.0.0.1:0", Token: token, Loopback: true}, d)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); eng.Close() })
	return &stream{srv: srv, eng: eng, hub: h, base: "http://" + srv.Addr().String()}
}

func (s *stream) wsURL(tok string) string {
	return strings.Replace(s.base, "http", "ws", 1) + "/ws?token=" + tok
}

func (s *stream) dial(t *testing.T) *client.Viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, s.wsURL(token), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func get(t *testing.T, url string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
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
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// decodeJPEG fails the test unless b is a JPEG OpenCV can decode.
func decodeJPEG(t *testing.T, b []byte) (w, h int) {
	t.Helper()
	m, err := gocv.IMDecode(b, gocv.IMReadColor)
	if err != nil || m.Empty() {
		t.Fatalf("not a JPEG (%d bytes): %v", len(b), err)
	}
	defer m.Close()
	return m.Cols(), m.Rows()
}
