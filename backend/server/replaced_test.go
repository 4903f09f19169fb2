package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

func TestARefusedLinkIsToldWhy(t *testing.T) {
	assets := fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer page</title>")}}
	start := func(t *testing.T, mayStartLater bool) (*Handler, string) {
		t.Helper()
		sh := NewHandler("cam", "first-token-0123456789", Deps{Hub: hub.New(), Stream: statsStream{}, Assets: assets,
			Limits: httpx.Limits{MaxFailedTokens: 2}, MayStartLater: mayStartLater})
		ts := httptest.NewServer(sh)
		t.Cleanup(func() { ts.Close(); sh.Close("") })
		return sh, ts.URL
	}
	type answer struct {
		status       int
		refused, txt string
	}
	ask := func(t *testing.T, url string) answer {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header.Get(protocol.RefusedHeader), string(body)}
	}
	t.Run("a replaced link is told it was replaced, on the page, /api/state and /ws, and it is no guess", func(t *testing.T) {
		sh, base := start(t, false)
		sh.SetToken("second-token-0123456789")
		for range 5 { // more than MaxFailedTokens: none of these counts
			if a := ask(t, base+"/api/state?token=first-token-0123456789"); a.status != 401 || a.refused != protocol.RefusedReplaced || !strings.Contains(a.txt, "replaced by a new one") {
				t.Fatalf("api/state: %+v", a)
			}
		}
		if a := ask(t, base+"/?token=first-token-0123456789"); a.status != 401 || a.refused != protocol.RefusedReplaced || !strings.Contains(a.txt, "This link was replaced") {
			t.Fatalf("page: %+v", a)
		}
		_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws?token=first-token-0123456789", nil)
		if err == nil || resp == nil || resp.StatusCode != 401 || resp.Header.Get(protocol.RefusedHeader) != protocol.RefusedReplaced {
			t.Fatalf("ws: %v %+v", err, resp)
		}
		if a := ask(t, base+"/api/state?token=second-token-0123456789"); a.status != 200 {
			t.Fatalf("the new link: %+v", a)
		}
	})
	t.Run("a wrong token is told its token is wrong, and counts", func(t *testing.T) {
		_, base := start(t, false)
		if a := ask(t, base+"/api/state?token=never-a-token-0123456789"); a.status != 401 || a.refused != protocol.RefusedToken || !strings.Contains(a.txt, "missing or wrong") {
			t.Fatalf("%+v", a)
		}
		ask(t, base+"/api/state?token=never-a-token-0123456789")
		if a := ask(t, base+"/api/state?token=never-a-token-0123456789"); a.status != http.StatusTooManyRequests || a.refused != protocol.RefusedToken {
			t.Fatalf("the third wrong token: %+v", a)
		}
	})
	t.Run("replaced tokens are remembered only up to their bound", func(t *testing.T) {
		sh, base := start(t, false)
		for i := range maxReplaced + 1 {
			sh.SetToken("token-number-" + strings.Repeat("x", i) + "-0123456789")
		}
		if a := ask(t, base+"/api/state?token=first-token-0123456789"); a.refused != protocol.RefusedToken {
			t.Fatalf("the oldest of %d replaced tokens: %+v", maxReplaced+1, a)
		}
		if a := ask(t, base+"/api/state?token=token-number--0123456789"); a.refused != protocol.RefusedReplaced {
			t.Fatalf("a recent one: %+v", a)
		}
	})
	t.Run("on a relay a wrong token is not valid yet, and its page is the viewer page, which keeps trying", func(t *testing.T) {
		_, base := start(t, true)
		if a := ask(t, base+"/?token=never-a-token-0123456789"); a.status != 401 || a.refused != protocol.RefusedNotYet || a.txt != "<title>viewer page</title>" {
			t.Fatalf("page: %+v", a)
		}
		if a := ask(t, base+"/api/state?token=never-a-token-0123456789"); a.status != 401 || a.refused != protocol.RefusedNotYet || !strings.Contains(a.txt, "no stream is live at this link yet") {
			t.Fatalf("api/state: %+v", a)
		}
		if a := ask(t, base+"/api/state?token=never-a-token-0123456789"); a.status != http.StatusTooManyRequests || a.refused != protocol.RefusedNotYet {
			t.Fatalf("locked out: %+v", a)
		}
	})
}
