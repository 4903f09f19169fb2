package natsbus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/hub"
	"framecast/backend/natsbus"
	"framecast/backend/protocol"
	"framecast/backend/push"
	"framecast/backend/relay"
	"framecast/internal/testnet"

	"github.com/nats-io/nats-server/v2/server"
)

const (
	publishToken = "cluster-publish-token-0123"
	viewToken    = "cluster-view-token-0123456"
)

// natsCluster starts three NATS servers routed to each other, with
// JetStream, on loopback ports the kernel gives.
func natsCluster(t *testing.T) []*server.Server {
	t.Helper()
	// Every server must know the routes from the start (JetStream needs
	// them): the cluster ports are picked first. Clients take any port.
	ports := make([]int, 3)
	var routes []string
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[i]))
	}
	var servers []*server.Server
	for i := range 3 {
		opts := &server.Options{ServerName: fmt.Sprintf("n%d", i), Host: "127.0.0.1", Port: server.RANDOM_PORT,
			JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: !testing.Verbose(),
			Cluster: server.ClusterOpts{Name: "test", Host: "127.0.0.1", Port: ports[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ","))}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		if testing.Verbose() {
			s.ConfigureLogger()
		}
		go s.Start()
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatal("NATS server did not start")
		}
		t.Cleanup(s.Shutdown)
		servers = append(servers, s)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range servers {
		for s.NumRoutes() < 2 || !s.JetStreamIsCurrent() {
			if time.Now().After(deadline) {
				t.Fatalf("the NATS cluster did not form: %d routes", s.NumRoutes())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return servers
}

type node struct {
	bus   *natsbus.Bus
	relay *relay.Relay
}

// relays starts one relay per NATS server, each connected to its own
// server first and to the others after it.
func relays(t *testing.T, servers []*server.Server) []node {
	t.Helper()
	var nodes []node
	for i, s := range servers {
		urls := []string{s.ClientURL()}
		for j, o := range servers {
			if j != i {
				urls = append(urls, o.ClientURL())
			}
		}
		nodes = append(nodes, startNode(t, strings.Join(urls, ","), fmt.Sprintf("relay%d", i), len(servers)))
	}
	return nodes
}

// startNode starts a relay named name on the NATS servers at urls, with
// the stream table in that many replicas.
func startNode(t *testing.T, urls, name string, replicas int) node {
	t.Helper()
	var bus *natsbus.Bus
	var err error
	deadline := time.Now().Add(20 * time.Second)
	for bus == nil {
		// JetStream needs a meta leader before the table can be made.
		if bus, err = natsbus.Connect(natsbus.Config{URLs: urls, Name: name, Replicas: replicas}, nil); err != nil {
			if time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Cleanup(bus.Close)
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publishToken},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Bus: bus})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rl.Close)
	return node{bus: bus, relay: rl}
}

// produce pushes a 30 fps stream of a real 320×180 JPEG to the relay at
// addr, and returns a function that stops it.
func produce(t *testing.T, addr string) func() {
	t.Helper()
	_, stop := pushFrames(t, addr, []protocol.Rendition{{Name: "180p", W: 320, H: 180, Quality: 80}})
	return stop
}

// pushFrames pushes a 30 fps stream to the relay at addr: every tick a
// frame of each rendition of ladder (its own size first) goes into the
// push's hub, and the push sends those the relay takes. A ladder of one
// size offers no renditions. It returns the hub and a function that stops
// the stream.
func pushFrames(t *testing.T, addr string, ladder []protocol.Rendition) (*hub.Hub, func()) {
	return pushFramesWith(t, addr, ladder, func(*push.Config) {})
}

// pushFramesWith is pushFrames with a push config that change may adjust.
func pushFramesWith(t *testing.T, addr string, ladder []protocol.Rendition, change func(*push.Config)) (*hub.Hub, func()) {
	t.Helper()
	pics := make([][]byte, len(ladder))
	for i, r := range ladder {
		pics[i] = testJPEG(t, r.W, r.H)
	}
	cfg := push.Config{URL: "ws://" + addr + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken}
	if len(ladder) > 1 {
		cfg.Renditions = func() []protocol.Rendition { return ladder }
	}
	change(&cfg)
	h := hub.New()
	p, err := push.New(cfg, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for seq := uint64(1); ; seq++ {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				for i, r := range ladder {
					hd := protocol.Header{Seq: seq, TS: now.UnixMicro(), W: r.W, H: r.H}
					if i > 0 {
						hd.Rendition = r.Name
					}
					f, _ := hub.NewFrame(hd, pics[i])
					f.Rendition = hd.Rendition
					h.Publish(f)
				}
			}
		}
	}()
	return h, func() { close(stop); <-done; p.Close() }
}

// testJPEG is a w×h JPEG of a gradient.
func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 128, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func watch(t *testing.T, addr string) *client.Viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+addr+"/s/line/ws?token="+viewToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// frames reads n frames, acking each, within timeout.
func frames(v *client.Viewer, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for range n {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			return err
		}
		_ = v.Ack(m.Frame.Seq)
	}
	return nil
}

// caughtUp reads v's frames until one was captured less than 200 ms ago,
// and returns its capture time: what the viewer saw last before an outage.
func caughtUp(v *client.Viewer) (int64, error) {
	for {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			return 0, err
		}
		_ = v.Ack(m.Frame.Seq)
		if time.Since(time.UnixMicro(m.Frame.TS)) < 200*time.Millisecond {
			return m.Frame.TS, nil
		}
	}
}

// outage reads n frames after the one captured at last and returns the
// longest stretch of capture time the viewer got no frame of: the producer
// captures all along, so it is how long the picture stood still.
func outage(v *client.Viewer, last int64, n int, timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	var longest time.Duration
	for range n {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			return longest, err
		}
		_ = v.Ack(m.Frame.Seq)
		longest = max(longest, time.Duration(m.Frame.TS-last)*time.Microsecond)
		last = m.Frame.TS
	}
	return longest, nil
}

// maxOutage bounds an outage when a NATS server or a relay dies: a few seconds.
const maxOutage = 5 * time.Second

func state(t *testing.T, addr, token string) (protocol.Stats, int) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/s/line/api/state?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st protocol.Stats
	_ = json.NewDecoder(resp.Body).Decode(&st)
	return st, resp.StatusCode
}

func TestThreeRelaysOnANATSClusterShareAStream(t *testing.T) {
	servers := natsCluster(t)
	nodes := relays(t, servers)
	a, b, c := nodes[0], nodes[1], nodes[2]
	stop := produce(t, a.relay.Addr().String())
	defer func() { stop() }()
	testnet.WaitFor(t, 10*time.Second, "relay B knows the stream", func() bool {
		_, code := state(t, b.relay.Addr().String(), viewToken)
		return code == http.StatusOK
	})

	// Token checks on every relay: wrong tokens see nothing.
	for i, n := range nodes {
		if _, code := state(t, n.relay.Addr().String(), "wrong-token-0123456789"); code != http.StatusUnauthorized {
			t.Fatalf("relay %d answered a wrong token with %d", i, code)
		}
	}

	// Interest: with nobody watching on C, C receives no frames.
	vb := watch(t, b.relay.Addr().String())
	if err := frames(vb, 5, 10*time.Second); err != nil {
		t.Fatalf("viewer on relay B: %v", err)
	}
	beforeB, beforeC := b.bus.Stats().InBytes, c.bus.Stats().InBytes
	if err := frames(vb, 30, 10*time.Second); err != nil {
		t.Fatalf("viewer on relay B: %v", err)
	}
	gotB, gotC := b.bus.Stats().InBytes-beforeB, c.bus.Stats().InBytes-beforeC
	if gotB < 30*uint64(len(testJPEG(t, 320, 180))) || gotC > gotB/10 {
		t.Fatalf("while B watched 30 frames, relay B received %d bytes from NATS and relay C, with no viewers, %d", gotB, gotC)
	}
	vc := watch(t, c.relay.Addr().String())
	if err := frames(vc, 30, 10*time.Second); err != nil {
		t.Fatalf("viewer on relay C: %v", err)
	}

	// Counts summed: the producer's relay and the others see both viewers.
	testnet.WaitFor(t, 15*time.Second, "cluster-wide viewer count 2 on relay A", func() bool {
		st, _ := state(t, a.relay.Addr().String(), viewToken)
		return st.ClusterViewers == 2 && st.Holder == a.bus.ID()
	})
	testnet.WaitFor(t, 15*time.Second, "relay B shows the count and the holder", func() bool {
		st, _ := state(t, b.relay.Addr().String(), viewToken)
		return st.ClusterViewers == 2 && st.Holder == a.bus.ID()
	})

	// One producer cluster-wide: another view token is refused on B.
	req, _ := http.NewRequest("GET", "http://"+b.relay.Addr().String()+"/ingest/line?token="+publishToken+"&view=another-view-token-0123", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("a second producer with another token on relay B: %v %v, want 409", resp.Status, err)
	}

	// A NATS node dies: B's relay moves to another and its viewer goes on.
	last, err := caughtUp(vb)
	if err != nil {
		t.Fatal(err)
	}
	servers[1].Shutdown()
	gap, err := outage(vb, last, 30, 15*time.Second)
	if err != nil {
		t.Fatalf("viewer on relay B after its NATS node died: %v", err)
	}
	t.Logf("a NATS server died: the picture on relay B stood still for %v", gap)
	if gap > maxOutage {
		t.Fatalf("after its NATS server died, relay B's viewer got no frame for %v", gap)
	}

	// The producer's relay dies: the producer pushes to C instead, and the
	// viewers on B and C get frames again. First the stream table must take
	// writes again: after a NATS server dies its replicas may elect a new
	// leader, which a loaded machine makes take seconds, and C's claim of
	// the stream would wait for it ("no response from stream"). Each
	// failure is measured on its own.
	testnet.WaitFor(t, 30*time.Second, "the stream table taking writes after the NATS server died", func() bool {
		if err := c.bus.Claim("probe", relay.Entry{Since: time.Now()}); err != nil {
			return false
		}
		c.bus.Release("probe")
		return true
	})
	lastB, errB := caughtUp(vb)
	lastC, errC := caughtUp(vc)
	if errB != nil || errC != nil {
		t.Fatal(errB, errC)
	}
	stop()
	a.relay.Close()
	stop = produce(t, c.relay.Addr().String())
	for _, w := range []struct {
		name string
		v    *client.Viewer
		last int64
	}{{"C", vc, lastC}, {"B", vb, lastB}} {
		gap, err := outage(w.v, w.last, 30, 15*time.Second)
		if err != nil {
			t.Fatalf("viewer on relay %s after the producer moved to C: %v", w.name, err)
		}
		t.Logf("the producer's relay died: the picture on relay %s stood still for %v", w.name, gap)
		if gap > maxOutage {
			t.Fatalf("after the producer's relay died, relay %s's viewer got no frame for %v", w.name, gap)
		}
	}
	testnet.WaitFor(t, 15*time.Second, "relay C holds the stream", func() bool {
		st, _ := state(t, c.relay.Addr().String(), viewToken)
		return st.Holder == c.bus.ID()
	})
}
