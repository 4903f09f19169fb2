package station

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/internal/testclip"

	"gocv.io/x/gocv"
)

// watcher is a WebSocket viewer that acks what it gets, as a page does.
type watcher struct {
	t *testing.T
	v *client.Viewer
}

func watchStation(t *testing.T, st *served, query string) *watcher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d/ws?token=%s%s", st.Port(), small().Token, query), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return &watcher{t: t, v: v}
}

// until reads (and acks) messages until ok says the one it waited for
// came, and fails the test after timeout.
func (w *watcher) until(what string, timeout time.Duration, ok func(client.Message) bool) client.Message {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m, err := w.v.Next(time.Until(deadline))
		if err != nil {
			w.t.Fatalf("waiting for %s: %v", what, err)
		}
		if m.Frame != nil {
			if err := w.v.Ack(m.Frame.Seq); err != nil {
				w.t.Fatal(err)
			}
		}
		if ok(m) {
			return m
		}
	}
}

// helloSaying waits for a hello that says the viewer gets rendition.
func (w *watcher) helloSaying(rendition string) protocol.Hello {
	w.t.Helper()
	var h protocol.Hello
	w.until("a hello saying "+rendition, 10*time.Second, func(m client.Message) bool {
		if m.Event != "hello" {
			return false
		}
		if err := json.Unmarshal(m.Raw, &h); err != nil {
			w.t.Fatal(err)
		}
		return h.Rendition == rendition
	})
	return h
}

// frameOf waits for a frame w wide of the given rendition ("" the stream's
// own size).
func (w *watcher) frameOf(rendition string, width int) {
	w.t.Helper()
	w.until(fmt.Sprintf("a %d wide frame of %q", width, rendition), 10*time.Second, func(m client.Message) bool {
		return m.Frame != nil && m.Rendition == rendition && m.Frame.W == width
	})
}

// stillPicture writes a w×h JPEG into a temporary directory.
func stillPicture(t *testing.T, w, h int) string {
	t.Helper()
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer m.Close()
	m.SetTo(gocv.NewScalar(40, 120, 200, 0))
	path := filepath.Join(t.TempDir(), "still.jpg")
	if !gocv.IMWrite(path, m) {
		t.Fatalf("cannot write %s", path)
	}
	return path
}

// mjpegHeight reads the next picture of an MJPEG stream and returns its
// height.
func mjpegHeight(t *testing.T, parts *multipart.Reader) int {
	t.Helper()
	part, err := parts.NextPart()
	if err != nil {
		t.Fatalf("MJPEG: %v", err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(part); err != nil {
		t.Fatalf("MJPEG part: %v", err)
	}
	cfg, err := jpeg.DecodeConfig(&buf)
	if err != nil {
		t.Fatalf("MJPEG part: %v", err)
	}
	return cfg.Height
}

// A viewer of a rendition the new source does not offer is moved to the
// nearest one offered and told so by a new hello, WebSocket and MJPEG
// alike, instead of waiting for frames that never come (it froze on its
// last frame); when a source offers its rendition again, it gets it again.
func TestAViewerOfARenditionTheNewSourceLacksMovesToTheNearest(t *testing.T) {
	s := small()
	s.Stream.MaxWidth, s.Stream.MaxHeight = 1280, 720
	st := start(t, s, Deps{Renditions: protocol.DefaultRenditions()})
	clip := testclip.Write(t, 300, 30, 560, 320)
	still := stillPicture(t, 640, 480)

	ws := watchStation(t, st, "&rendition=360p")
	ws.helloSaying("360p")
	ws.frameOf("360p", 640)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("http://127.0.0.1:%d/stream.mjpg?token=%s&rendition=360p", st.Port(), s.Token), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("MJPEG of 360p: %v %v", resp, err)
	}
	defer resp.Body.Close()
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	parts := multipart.NewReader(resp.Body, params["boundary"])
	if h := mjpegHeight(t, parts); h != 360 {
		t.Fatalf("the 360p MJPEG picture is %d high", h)
	}

	steps := []struct {
		name, source  string
		hello         string // what the viewer is told it gets now
		key           string // the hub's key of the frames it gets ("" the full size)
		width, height int
	}{
		{"a 560×320 video has no 360p: the full size is nearest", clip, "320p", "", 560, 320},
		{"the test pattern offers 360p again", "test", "360p", "360p", 640, 360},
		{"a 640×480 picture has no 640 wide 360p: the full size is nearest", still, "480p", "", 640, 480},
	}
	for _, step := range steps {
		switched := time.Now()
		if _, err := st.Update(func(e *engine.Settings) { e.Source = step.source }); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		h := ws.helloSaying(step.hello)
		ws.frameOf(step.key, step.width)
		t.Logf("%s: moved in %v; hello %+v", step.name, time.Since(switched), h.Renditions)
		// The MJPEG viewer has nobody to tell: its pictures change size.
		deadline := time.Now().Add(10 * time.Second)
		for mjpegHeight(t, parts) != step.height {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the MJPEG viewer never got %d high pictures", step.name, step.height)
			}
		}
	}
}
