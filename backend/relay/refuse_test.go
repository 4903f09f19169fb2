package relay

import (
	"context"
	"image/color"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// settledGoroutines waits until at most want goroutines run, and fails
// with a dump otherwise.
func settledGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRefusedProducerRequestsChangeNothing(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	v := watch(t, rl, "cam", viewToken, "")
	jpg := picture(t, 16, 16, color.RGBA{200, 0, 0, 255})
	seq := uint64(0)
	// stillWatched checks that the stream kept its producer, its token and
	// its viewer: a new frame reaches the viewer.
	stillWatched := func(t *testing.T) {
		t.Helper()
		s := rl.table.Lookup("cam")
		if s == nil || s.handler.Token() != viewToken {
			t.Fatal("the stream or its view token changed")
		}
		if n := s.hub.Count(); n != 1 {
			t.Fatalf("%d viewers, want the 1 there was", n)
		}
		seq++
		sendFrame(t, prod, protocol.Header{Seq: seq, TS: time.Now().UnixMicro()}, jpg)
		m, err := v.NextFrame(5 * time.Second)
		if err != nil || m.Frame.Seq != seq {
			t.Fatalf("viewer got %+v, %v; want frame %d from the producer it had", m.Frame, err, seq)
		}
		_ = v.Ack(seq)
	}
	stillWatched(t)
	ingest := "http://" + rl.Addr().String() + "/ingest/"
	wsIngest := wsBase(rl) + "/ingest/"
	other := "another-view-token-0123456789"
	cases := []struct {
		name   string
		url    string
		header http.Header
		ws     bool
		want   int
	}{
		{"a plain GET, with no upgrade", ingest + "cam?token=" + publishToken + "&view=" + other, nil, false, http.StatusBadRequest},
		{"a page's WebSocket, with a browser Origin", wsIngest + "cam?token=" + publishToken + "&view=" + other,
			http.Header{"Origin": {"https://evil.example"}}, true, http.StatusForbidden},
		{"a wrong publish token", wsIngest + "cam?token=wrong-publish-token-000&view=" + other, nil, true, http.StatusUnauthorized},
		{"a bad stream name", wsIngest + "cam%20two?token=" + publishToken + "&view=" + other, nil, true, http.StatusBadRequest},
		{"a short view token", wsIngest + "cam?token=" + publishToken + "&view=short", nil, true, http.StatusBadRequest},
		{"a view token over 256 characters", wsIngest + "cam?token=" + publishToken + "&view=" + strings.Repeat("v", 257), nil, true, http.StatusBadRequest},
		{"another view token while the producer is live", wsIngest + "cam?token=" + publishToken + "&view=" + other, nil, true, http.StatusConflict},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused and changes nothing", func(t *testing.T) {
			base := runtime.NumGoroutine()
			var code int
			if c.ws {
				conn, resp, err := websocket.DefaultDialer.Dial(c.url, c.header)
				if err == nil {
					conn.Close()
					t.Fatal("the upgrade succeeded")
				}
				if resp != nil {
					code = resp.StatusCode
				}
			} else {
				// No keep-alive: an idle connection would count as goroutines.
				plain := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				resp, err := plain.Get(c.url)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				code = resp.StatusCode
			}
			if code != c.want {
				t.Fatalf("status %d, want %d", code, c.want)
			}
			stillWatched(t)
			if rl.table.Lookup("cam two") != nil {
				t.Fatal("a refused name made a stream")
			}
			settledGoroutines(t, base)
		})
	}
}

func TestAProducerWithTheSameViewTokenReplacesTheOldOneAndViewersStay(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	old := produce(t, rl, "cam", viewToken)
	v := watch(t, rl, "cam", viewToken, "")
	jpg := picture(t, 8, 8, color.RGBA{1, 2, 3, 255})
	sendFrame(t, old, protocol.Header{Seq: 1, TS: time.Now().UnixMicro()}, jpg)
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	_ = v.Ack(1)
	restarted := produce(t, rl, "cam", viewToken) // the same producer, restarted
	sendFrame(t, restarted, protocol.Header{Seq: 1, TS: time.Now().UnixMicro()}, jpg)
	m, err := v.NextFrame(5 * time.Second)
	if err != nil || m.Frame.Seq != 1 {
		t.Fatalf("the viewer after the restart: %+v, %v", m.Frame, err)
	}
	// Once no producer is live, a new token is the operator's new link:
	// viewers on the old one are told.
	restarted.Close()
	s := rl.table.Lookup("cam")
	waitFor(t, "the producer to be gone", func() bool { return !s.conflicts("a-new-link-view-token-0") })
	produce(t, rl, "cam", "a-new-link-view-token-0")
	for {
		msg, err := v.Next(5 * time.Second)
		if err != nil {
			if !strings.Contains(err.Error(), "replaced") {
				t.Fatalf("viewer of the old link ended with %v, want the link-replaced close", err)
			}
			break
		}
		_ = msg
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.Dial(ctx, wsBase(rl)+"/s/cam/ws?token="+viewToken, nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("the old link still opens the stream: %v", err)
	}
}
