package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// renditionStream serves a 1280×720 test pattern with the default
// renditions below it.
func renditionStream(t *testing.T) (*Server, *hub.Hub) {
	t.Helper()
	return renditionStreamH264(t, false)
}

// renditionStreamH264 is renditionStream, making H.264 too when h264 says.
func renditionStreamH264(t *testing.T, h264 bool) (*Server, *hub.Hub) {
	t.Helper()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 80, MaxWidth: 1280, MaxHeight: 720, FPS: 30, Enabled: true},
		engine.Deps{Hub: h, Renditions: protocol.DefaultRenditions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	srv, err := New(Config{Addr: "127.0.0.1:0", Token: token}, Deps{Hub: h, Stream: eng, Assets: fstest.MapFS{}, H264: func() bool { return h264 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, h
}

func dialWS(t *testing.T, srv *Server, query string) *client.Viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+srv.Addr().String()+"/ws?token="+token+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// hello reads the viewer's hello.
func hello(t *testing.T, v *client.Viewer) protocol.Hello {
	t.Helper()
	for {
		m, err := v.Next(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m.Event == "hello" {
			var h protocol.Hello
			if err := json.Unmarshal(m.Raw, &h); err != nil {
				t.Fatal(err)
			}
			return h
		}
	}
}

func TestAPinnedRenditionGetsTheSameFramesSmaller(t *testing.T) {
	srv, srvHub := renditionStream(t)
	full := dialWS(t, srv, "")
	small := dialWS(t, srv, "&rendition=360p")
	if h := hello(t, small); h.Rendition != "360p" || len(h.Renditions) != 4 || h.Renditions[0].Name != "720p" || h.Renditions[1].W != 640 {
		t.Fatalf("hello %+v", h)
	}
	if h := hello(t, full); h.Rendition != "auto" {
		t.Fatalf("hello of a viewer that pinned nothing: %+v", h)
	}
	seen := map[uint64]bool{}
	for range 10 {
		m, err := full.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = full.Ack(m.Frame.Seq)
		if m.Frame.W != 1280 || m.Frame.H != 720 || m.Frame.Rendition != "" {
			t.Fatalf("the full-size viewer got %+v", *m.Frame)
		}
		seen[m.Frame.Seq] = true
	}
	same := 0
	for range 10 {
		m, err := small.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("%v; viewers %+v", err, srvHub.Viewers(time.Now()))
		}
		if err := small.Ack(m.Frame.Seq); err != nil {
			t.Fatal(err)
		}
		if m.Frame.W != 640 || m.Frame.H != 360 || m.Frame.Rendition != "360p" {
			t.Fatalf("the 360p viewer got %+v", *m.Frame)
		}
		if w, h := decodeJPEG(t, m.JPEG); w != 640 || h != 360 {
			t.Fatalf("the 360p viewer's JPEG is %dx%d", w, h)
		}
		if seen[m.Frame.Seq] {
			same++
		}
	}
	if same == 0 {
		t.Fatal("the 360p frames carry none of the full-size frames' seq numbers")
	}
}

func TestRenditionsAreEncodedOnlyWhileSomebodyTakesThem(t *testing.T) {
	srv, h := renditionStream(t)
	full := dialWS(t, srv, "")
	if _, err := full.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if w := h.Taken(); len(w) != 1 || !w[""] {
		t.Fatalf("taken %v with only a full-size viewer", w)
	}
	if f := h.Latest("240p"); f != nil {
		t.Fatal("a 240p frame was encoded for nobody")
	}
	small := dialWS(t, srv, "&rendition=240p")
	if _, err := small.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if w := h.Taken(); !w["240p"] || len(w) != 2 {
		t.Fatalf("taken %v with a full-size and a 240p viewer", w)
	}
	_ = small.Close()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.Taken()) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("still taken after the 240p viewer left: %v", h.Taken())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestARenditionTheStreamDoesNotOfferIsRefusedWithTheList(t *testing.T) {
	srv, _ := renditionStream(t)
	for _, path := range []string{"/ws?rendition=4k", "/stream.mjpg?rendition=4k", "/snapshot.jpg?width=abc"} {
		resp, err := http.Get("http://" + srv.Addr().String() + path + "&token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 512)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || (strings.Contains(path, "4k") && !strings.Contains(string(b[:n]), "360p")) {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, b[:n])
		}
	}
	resp, err := http.Get("http://" + srv.Addr().String() + "/snapshot.jpg?width=500&token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := decodeJPEG(t, b); w != 426 {
		t.Fatalf("snapshot ?width=500 is %d wide, want the 426 px rendition", w)
	}
}

func TestAViewerOnASlowLinkMovesDownAndBackUpWhenTheLinkRecovers(t *testing.T) {
	srv, _ := renditionStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.DialWith(ctx, "ws://"+srv.Addr().String()+"/ws?token="+token, client.DialOptions{LinkBps: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// until reads frames until one of the rendition wanted arrives.
	until := func(want string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		last := "?"
		for time.Now().Before(deadline) {
			m, err := v.NextFrame(time.Until(deadline))
			if err != nil {
				break
			}
			_ = v.Ack(m.Frame.Seq)
			if last = m.Frame.Rendition; last == want {
				return
			}
		}
		t.Fatalf("no %q frame within %v; the last was %q", want, within, last)
	}
	// 720p at quality 80 needs about 9 Mbit/s: a 2 Mbit/s link moves down.
	until("360p", 10*time.Second)
	v.SetLink(0)
	// With the link back, the viewer probes its way up to the full size.
	until("", 3*(probeFirst+probeSurvive))
}

func TestAPinnedViewerStaysPinnedOnASlowLink(t *testing.T) {
	srv, _ := renditionStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.DialWith(ctx, "ws://"+srv.Addr().String()+"/ws?token="+token+"&rendition=720p", client.DialOptions{LinkBps: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// Longer than an auto viewer takes to move down (see the test above).
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Ack(m.Frame.Seq)
		if m.Frame.Rendition != "" || m.Frame.W != 1280 {
			t.Fatalf("a viewer pinned to 720p got %+v", *m.Frame)
		}
	}
}
