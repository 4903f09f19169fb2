package server

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"framecast/backend/httpx"
	"framecast/internal/testclip"
)

var jpegMagic = []byte{0xFF, 0xD8, 0xFF}

func TestBadTokensAreRefusedOnEveryEndpoint(t *testing.T) {
	// 25 wrong tokens follow: allow them all, to see each 401.
	s := startStreamWith(t, smallSettings(), httpx.Limits{MaxFailedTokens: 100})
	paths := []string{"/", "/ws", "/stream.mjpg", "/snapshot.jpg", "/api/state"}
	tokens := map[string]string{
		"no token":       "",
		"a wrong token":  "?token=wrong",
		"a token prefix": "?token=" + token[:10],
		"a longer token": "?token=" + token + "x",
		"an empty token": "?token=",
	}
	for _, p := range paths {
		for name, q := range tokens {
			t.Run(p+" with "+name+" gets 401", func(t *testing.T) {
				resp := get(t, s.base+p+q, nil)
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.StatusCode)
				}
				if bytes.Contains(body, jpegMagic) || strings.Contains(string(body), "captureFps") {
					t.Fatal("a refused request got stream data")
				}
			})
		}
	}
	t.Run("/healthz needs no token", func(t *testing.T) {
		if resp := get(t, s.base+"/healthz", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestViewerPageHasProtectiveHeaders(t *testing.T) {
	s := startStream(t, smallSettings())
	resp := get(t, s.base+"/?token="+token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for k, want := range map[string]string{
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'self'",
	} {
		if got := resp.Header.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if resp := get(t, s.base+"/assets/viewer.js", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("asset status %d", resp.StatusCode)
	}
	if resp := get(t, s.base+"/assets/", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("directory listing status %d, want 404", resp.StatusCode)
	}
}

func TestMJPEGPartsAreJPEGs(t *testing.T) {
	s := startStream(t, smallSettings())
	resp := get(t, s.base+"/stream.mjpg?token="+token, nil)
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" {
		t.Fatalf("content type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(resp.Body, params["boundary"])
	for i := 0; i < 5; i++ {
		part, err := r.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if part.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("part content type %q", part.Header.Get("Content-Type"))
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := decodeJPEG(t, b); w != 320 {
			t.Fatalf("part %d is %d wide, want 320", i, w)
		}
	}
}

func TestSnapshotIsAFreshJPEG(t *testing.T) {
	s := startStream(t, smallSettings())
	resp := get(t, s.base+"/snapshot.jpg?token="+token, nil)
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("status %d type %q err %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	if w, h := decodeJPEG(t, b); w != 320 || h != 180 {
		t.Fatalf("snapshot is %dx%d", w, h)
	}
}

func TestAFileSourcePlaysAVideoTheTestMade(t *testing.T) {
	path := testclip.Write(t, 10, 25, 200, 100)
	set := smallSettings()
	set.Source = path
	s := startStream(t, set)
	v := s.dial(t)
	for i := 0; i < 15; i++ { // more frames than the file has: it loops
		msg, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if w, h := decodeJPEG(t, msg.JPEG); w != 200 || h != 100 {
			t.Fatalf("frame is %dx%d, want the file's 200x100", w, h)
		}
		_ = v.Ack(msg.Frame.Seq)
	}
}

func TestCloseSaysByeToViewers(t *testing.T) {
	s := startStream(t, smallSettings())
	v := s.dial(t)
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.srv.Close(); close(done) }()
	var bye bool
	for {
		m, err := v.Next(5 * time.Second)
		if err != nil {
			break
		}
		bye = bye || m.Event == "bye"
	}
	if !bye {
		t.Fatal("viewer got no bye before the server closed")
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close took over 3 s")
	}
}

func TestPortInUseIsAClearError(t *testing.T) {
	s := startStream(t, smallSettings())
	_, err := New(Config{Addr: s.srv.Addr().String(), Token: token}, Deps{Hub: s.hub, Stream: s.eng})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err = %v, want address already in use", err)
	}
}

func TestOnlyTheDesktopAppMayReadResponsesCrossOrigin(t *testing.T) {
	s := startStream(t, smallSettings())
	cases := []struct {
		name, origin, want string
	}{
		{"the desktop app's webview is allowed", "wails://wails", "wails://wails"},
		{"another site is not", "http://evil.example", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := get(t, s.base+"/api/state?token=wrong", http.Header{"Origin": {c.origin}})
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != c.want {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, c.want)
			}
		})
	}
}
