package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Viewers who came before the producer announced its renditions are told
// of them (a new hello) and may adapt; a viewer of a rendition the next
// producer does not make, WebSocket or MJPEG, goes back to the stream's own
// size instead of waiting for frames that never come.
func TestViewersFollowTheRenditionsTheProducerOffersWhileTheyWatch(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "line", viewToken)
	early := watch(t, rl, "line", viewToken, "")
	if h := helloOf(t, early); len(h.Renditions) != 0 {
		t.Fatalf("hello before any ladder lists %v", h.Renditions)
	}

	ladder, _ := json.Marshal(protocol.RenditionsOffer{Type: "renditions", Renditions: protocol.Ladder(320, 180, 80,
		[]protocol.Rendition{{Name: "90p", W: 160, H: 90, Quality: 60}})})
	if err := prod.WriteMessage(websocket.TextMessage, ladder); err != nil {
		t.Fatal(err)
	}
	if h := helloOf(t, early); len(h.Renditions) != 2 || h.Rendition != "auto" {
		t.Fatalf("after the ladder the early viewer was told %+v, want 2 renditions, auto", h)
	}

	// A viewer pinned to 90p; then another producer, of one size, takes over.
	small := watch(t, rl, "line", viewToken+"&rendition=90p", "")
	if h := helloOf(t, small); h.Rendition != "90p" {
		t.Fatalf("pinned viewer's hello says %q", h.Rendition)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+rl.Addr().String()+"/s/line/stream.mjpg?token="+viewToken+"&rendition=90p", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("MJPEG pinned to 90p: %v %v", resp, err)
	}
	defer resp.Body.Close()
	_ = prod.Close()
	next := produce(t, rl, "line", viewToken)
	if h := helloOf(t, small); len(h.Renditions) != 0 {
		t.Fatalf("after a one-size producer came the 90p viewer was told %+v, want no renditions", h)
	}
	pumpLadder(t, next, clusterLadder[:1]) // the new producer's one size
	m, err := small.NextFrame(5 * time.Second)
	if err != nil {
		t.Fatalf("the former 90p viewer got no frame from the one-size producer: %v", err)
	}
	if m.Frame.W != 320 || m.Frame.Rendition != "" {
		t.Fatalf("the former 90p viewer got %+v", m.Frame)
	}
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	part, err := multipart.NewReader(resp.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatalf("the former 90p MJPEG viewer got no picture from the one-size producer: %v", err)
	}
	b, _ := io.ReadAll(part)
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 320 {
		t.Fatalf("the former 90p MJPEG viewer got a %d wide picture (%v), want 320", cfg.Width, err)
	}
}
