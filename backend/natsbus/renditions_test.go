package natsbus_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/relay"
	"framecast/internal/testnet"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// natsServer starts one NATS server with JetStream on a loopback port.
func natsServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{ServerName: "solo", Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s
}

// produceLadder pushes a 30 fps stream offering ladder to the relay at
// addr until the test ends, and returns the push's hub, whose Wanted says
// what the relay asked for.
func produceLadder(t *testing.T, addr string, ladder []protocol.Rendition) *hub.Hub {
	t.Helper()
	h, stop := pushFrames(t, addr, ladder)
	t.Cleanup(stop)
	return h
}

// subjects counts the messages on every subject of stream "line".
type subjects struct {
	mu sync.Mutex
	n  map[string]int
}

func countSubjects(t *testing.T, url string) *subjects {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	c := &subjects{n: map[string]int{}}
	if _, err := nc.Subscribe("framecast.*.line", func(m *nats.Msg) {
		c.mu.Lock()
		c.n[m.Subject]++
		c.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil { // the subscription is in place
		t.Fatal(err)
	}
	return c
}

func (c *subjects) of(kind relay.Kind) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n["framecast."+string(kind)+".line"]
}

func TestARelayWithoutTheProducerOffersItsRenditionsAndReceivesOnlyThoseItsViewersTake(t *testing.T) {
	s := natsServer(t)
	a, b := startNode(t, s.ClientURL(), "relayA", 1), startNode(t, s.ClientURL(), "relayB", 1)
	counts := countSubjects(t, s.ClientURL())
	ladder := protocol.Ladder(640, 360, 80, protocol.DefaultRenditions()) // 360p, 240p, 180p
	wanted := produceLadder(t, a.relay.Addr().String(), ladder)

	// Relay B learns the ladder from the table: until then 240p is refused.
	var v *client.Viewer
	testnet.WaitFor(t, 10*time.Second, "a 240p viewer on relay B", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var err error
		v, err = client.Dial(ctx, "ws://"+b.relay.Addr().String()+"/s/line/ws?token="+viewToken+"&rendition=240p", nil)
		return err == nil
	})
	t.Cleanup(func() { _ = v.Close() })
	m, err := v.Next(5 * time.Second)
	var hello protocol.Hello
	if err != nil || json.Unmarshal(m.Raw, &hello) != nil || hello.Type != "hello" {
		t.Fatalf("first message %q, %v: want the hello", m.Raw, err)
	}
	if len(hello.Renditions) != len(ladder) || hello.Rendition != "240p" {
		t.Fatalf("hello on relay B: %+v, want the producer's ladder and 240p", hello)
	}

	n := 0
	deadline := time.Now().Add(15 * time.Second)
	for n < 30 {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("after %d frames of 240p on relay B: %v", n, err)
		}
		_ = v.Ack(m.Frame.Seq)
		if m.Frame.Rendition != "240p" || m.Frame.W != 426 || m.Frame.H != 240 {
			t.Fatalf("the 240p viewer got a %dx%d frame of rendition %q", m.Frame.W, m.Frame.H, m.Frame.Rendition)
		}
		n++
	}
	// The producer's own size goes with the viewer count relay A hears
	// from B's reports, which a busy machine may delay: waited for, not
	// read once.
	testnet.WaitUntil(t, "the producer asked for 240p alone besides its own size", func() bool {
		w := wanted.Taken()
		return len(w) == 2 && w["240p"] && w[""]
	})
	// The count is a subscriber of its own, which may not have taken the
	// frames relay B's viewer already has.
	testnet.WaitFor(t, 10*time.Second, "30 or more messages on the 240p subject", func() bool {
		return counts.of(relay.FramesKind("240p")) >= 30
	})
	if full, small := counts.of(relay.KindFrames), counts.of(relay.FramesKind("180p")); full != 0 || small != 0 {
		t.Fatalf("relay A published %d full-size and %d 180p frames that no other relay takes", full, small)
	}
}
