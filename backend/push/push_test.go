package push

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/relay"
	"framecast/internal/matcheck"
	"framecast/internal/testnet"

	"github.com/gorilla/websocket"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

const (
	publishToken = "publish-token-0123456789"
	viewToken    = "view-token-abcdefghijkl"
)

func startRelay(t *testing.T, addr string) *relay.Relay {
	t.Helper()
	rl, err := relay.New(relay.Config{Addr: addr, PublishToken: publishToken},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}})
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

// producer is a local stream (engine on the test pattern) and its pusher.
func producer(t *testing.T, relayAddr string) (*hub.Hub, *Pusher) {
	t.Helper()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 60, MaxWidth: 320, MaxHeight: 180, FPS: 30, Enabled: true}, engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{URL: "ws://" + relayAddr + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken}, h, nil)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); eng.Close() })
	return h, p
}

func dialRelay(t *testing.T, addr string) *client.Viewer {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err := client.Dial(ctx, "ws://"+addr+"/s/line/ws?token="+viewToken, nil)
		cancel()
		if err == nil {
			t.Cleanup(func() { v.Close() })
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stream on the relay: %v", err)
		}
		time.Sleep(100 * time.Millisecond) // the producer has not connected yet
	}
}

func TestViewersOnTheRelayGetTheProducersFramesWithItsSeqAndTs(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	h, p := producer(t, rl.Addr().String())
	// Record what the producer made, as a local viewer sees it. The hub
	// offers each frame to this viewer and to the push at once, so by the
	// time the relay has a frame, the recorder has it or a newer one.
	local := h.Subscribe("test", "local", "")
	defer h.Unsubscribe(local)
	var mu sync.Mutex
	made := map[uint64]*hub.Frame{} // guarded by mu
	var newest uint64               // the highest seq recorded; guarded by mu
	stop := make(chan struct{})     // closed to end the recorder
	recorded := make(chan struct{}) // closed when the recorder has returned
	go func() {
		defer close(recorded)
		for {
			select {
			case <-stop:
				return
			case <-local.Wake():
			}
			if f := local.TakeFrame(); f != nil {
				mu.Lock()
				made[f.Header.Seq], newest = f, max(newest, f.Header.Seq)
				mu.Unlock()
			}
		}
	}()
	defer func() { close(stop); <-recorded }()
	lookup := func(seq uint64) (*hub.Frame, bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			f, n := made[seq], newest
			mu.Unlock()
			if n >= seq {
				return f, f != nil
			}
			if time.Now().After(deadline) {
				t.Fatalf("the relay sent seq %d, but the producer's newest frame is %d", seq, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	v := dialRelay(t, rl.Addr().String())
	const frames = 20
	compared := 0
	for i := 0; i < frames; i++ {
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Ack(m.Frame.Seq); err != nil {
			t.Fatal(err)
		}
		// The recorder's mailbox is newest-wins too: a frame it was too
		// slow to take was replaced there, and is not compared.
		if f, ok := lookup(m.Frame.Seq); ok {
			compared++
			if m.Frame.TS != f.Header.TS || !bytes.Equal(m.JPEG, f.Data) {
				t.Fatalf("seq %d: ts %d and %d JPEG bytes on the relay, ts %d and %d bytes at the producer",
					m.Frame.Seq, m.Frame.TS, len(m.JPEG), f.Header.TS, len(f.Data))
			}
		}
	}
	if compared < frames/2 {
		t.Fatalf("only %d of %d relayed frames could be compared with the producer's", compared, frames)
	}
	if st := p.Status(); st.State != "connected" || st.Sent == 0 || !strings.Contains(st.ViewerURL, "/s/line/?token=") {
		t.Fatalf("push status %+v", st)
	}
}

func TestARelayRestartIsRecoveredByTheProducerAndViewers(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	addr := rl.Addr().String()
	_, p := producer(t, addr)
	v := dialRelay(t, addr)
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	rl.Close()
	deadline := time.Now().Add(15 * time.Second)
	for p.Status().State == "connected" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := p.Status(); st.State != "retrying" || st.Error == "" {
		t.Fatalf("push status after the relay went away: %+v", st)
	}
	again := startRelay(t, addr)
	defer again.Close()
	v2 := dialRelay(t, addr) // a viewer reconnecting, as the viewer page does
	m, err := v2.NextFrame(10 * time.Second)
	if err != nil {
		t.Fatalf("no frame after the relay came back: %v", err)
	}
	if m.Frame.W != 320 || p.Status().State != "connected" {
		t.Fatalf("after restart: frame %+v, push %+v", m.Frame, p.Status())
	}
}

func TestThePushTakesFramesOnlyWhileSomebodyWatchesOnTheRelay(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	h, p := producer(t, rl.Addr().String())
	waitCount := func(want int, why string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for h.Count() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d local viewers, want %d (push %+v)", why, h.Count(), want, p.Status())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitCount(0, "nobody watches on the relay, so the push is not a viewer here")
	v := dialRelay(t, rl.Addr().String())
	waitCount(1, "a viewer on the relay makes the push take frames")
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatalf("the relay viewer got no frame: %v", err)
	}
	// The viewer may get the relay's last frame, from before, as it joins:
	// the count reaches the push on its own time.
	testnet.WaitUntil(t, "the push status saying 1 watches", func() bool { return p.Status().Viewers == 1 })
	v.Close()
	waitCount(0, "the relay viewer left")
}

func TestConfigIsCheckedAndGivesTheViewerLink(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"an http URL is refused", Config{URL: "http://r/ingest/a", PublishToken: publishToken, ViewToken: viewToken}, "ws:// or wss://"},
		{"a URL without a stream is refused", Config{URL: "wss://r/ingest/", PublishToken: publishToken, ViewToken: viewToken}, "/ingest/<stream name>"},
		{"a short view token is refused", Config{URL: "wss://r/ingest/a", PublishToken: publishToken, ViewToken: "short"}, "view token"},
		{"a missing publish token is refused", Config{URL: "wss://r/ingest/a", ViewToken: viewToken}, "publish token"},
		{"a short publish token is refused as the relay would", Config{URL: "wss://r/ingest/a", PublishToken: "abc", ViewToken: viewToken}, "publish token: must be 16 to 256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	cfg := Config{URL: "wss://relay.example:8443/ingest/line1", PublishToken: publishToken, ViewToken: viewToken}
	if got, want := cfg.ViewerURL(), "https://relay.example:8443/s/line1/?token="+viewToken; got != want {
		t.Fatalf("viewer URL %q, want %q", got, want)
	}
}

func TestAPushToAStreamLiveWithAnotherLinkSaysWhyAndRetries(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	other, _, err := websocket.DefaultDialer.Dial("ws://"+rl.Addr().String()+"/ingest/line?token="+publishToken+"&view=someone-elses-view-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The relay makes a producer the stream's just after its handshake:
	// wait for it, or the push may take the stream first.
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + rl.Addr().String() + "/s/line/api/state?token=someone-elses-view-token")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other producer's stream: %s", resp.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, p := producer(t, rl.Addr().String())
	deadline = time.Now().Add(15 * time.Second)
	for !strings.Contains(p.Status().Error, "409") {
		if time.Now().After(deadline) {
			t.Fatalf("push status %+v, want the 409 explained", p.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	other.Close() // the other producer stops: the push gets the stream
	for p.Status().State != "connected" {
		if time.Now().After(deadline.Add(15 * time.Second)) {
			t.Fatalf("push status %+v after the other producer left", p.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
