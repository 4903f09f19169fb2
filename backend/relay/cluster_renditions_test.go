package relay

import (
	"encoding/json"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// clusterLadder is the producer's ladder in these tests: its own size and
// two smaller copies.
var clusterLadder = protocol.Ladder(320, 180, 80, []protocol.Rendition{
	{Name: "90p", W: 160, H: 90, Quality: 60},
	{Name: "45p", W: 80, H: 45, Quality: 50},
})

// twoRelays starts relays "a" and "b" on one busNet, a producer of "line"
// on a offering clusterLadder, and waits for the ladder in the table.
func twoRelays(t *testing.T) (net *busNet, a, b *Relay, prod *websocket.Conn) {
	t.Helper()
	net = newBusNet()
	a = startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("a", 1<<20) })
	b = startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("b", 1<<20) })
	prod = produce(t, a, "line", viewToken)
	offerLadder(t, prod, clusterLadder)
	waitFor(t, "the ladder in the table", func() bool {
		e, ok := net.row("line")
		return ok && e.Relay == "a" && len(e.Ladder) == len(clusterLadder)
	})
	return net, a, b, prod
}

func offerLadder(t *testing.T, prod *websocket.Conn, ladder []protocol.Rendition) {
	t.Helper()
	msg, _ := json.Marshal(protocol.RenditionsOffer{Type: "renditions", Renditions: ladder})
	if err := prod.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
}

// pump sends a frame of every rendition of clusterLadder each 20 ms until
// the test ends. It alone writes to prod from then on.
func pump(t *testing.T, prod *websocket.Conn) { pumpLadder(t, prod, clusterLadder) }

// pumpLadder is pump for a ladder of the test's choice, its own size first.
func pumpLadder(t *testing.T, prod *websocket.Conn, ladder []protocol.Rendition) {
	t.Helper()
	pics := map[string][]byte{}
	for _, r := range ladder {
		pics[r.Name] = picture(t, r.W, r.H, color.RGBA{uint8(r.H), 0, 0, 255})
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for seq := uint64(1); ; seq++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for i, r := range ladder {
				h := protocol.Header{Seq: seq, TS: time.Now().UnixMicro(), W: r.W, H: r.H}
				if i > 0 {
					h.Rendition = r.Name
				}
				msg, _ := protocol.EncodeFrame(h, pics[r.Name])
				if prod.WriteMessage(websocket.BinaryMessage, msg) != nil {
					return
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// helloOf reads the viewer's messages until a hello arrives.
func helloOf(t *testing.T, v *client.Viewer) protocol.Hello {
	t.Helper()
	for {
		m, err := v.Next(5 * time.Second)
		if err != nil {
			t.Fatalf("no hello: %v", err)
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

// frameOf reads v's frames, acking them, until one of rendition ("" the
// own size) comes.
func frameOf(t *testing.T, v *client.Viewer, rendition string) protocol.Header {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := v.NextFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("no frame of rendition %q: %v", rendition, err)
		}
		_ = v.Ack(m.Frame.Seq)
		if m.Frame.Rendition == rendition {
			return *m.Frame
		}
	}
}

// wantFor reads the producer's connection until the relay asks for want.
func wantFor(t *testing.T, prod *websocket.Conn, want string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if got = nextWant(t, prod); strings.Join(got, ",") == want {
			return
		}
	}
	t.Fatalf("the relay asked the producer for %v, want [%s]", got, want)
}

func TestAViewerOnARelayWithoutTheProducerSeesTheLadderAndGetsThePinnedRendition(t *testing.T) {
	_, _, b, prod := twoRelays(t)
	auto := watch(t, b, "line", viewToken, "")
	if h := helloOf(t, auto); len(h.Renditions) != 3 || h.Renditions[1].Name != "90p" || h.Rendition != "auto" {
		t.Fatalf("hello on the relay without the producer: %+v, want the producer's three renditions, auto", h)
	}
	small := watch(t, b, "line", viewToken+"&rendition=90p", "")
	if h := helloOf(t, small); h.Rendition != "90p" {
		t.Fatalf("hello of the pinned viewer: %+v", h)
	}
	wantFor(t, prod, "90p") // asked although nobody on the producer's relay watches
	pump(t, prod)
	if h := frameOf(t, small, "90p"); h.W != 160 || h.H != 90 {
		t.Fatalf("the 90p viewer got a %dx%d frame", h.W, h.H)
	}
	if h := frameOf(t, auto, ""); h.W != 320 {
		t.Fatalf("the auto viewer got a %dx%d frame", h.W, h.H)
	}
}

func TestTheHolderPublishesEachRenditionOnItsSubjectOnlyWhileAnotherRelayTakesIt(t *testing.T) {
	net, a, b, prod := twoRelays(t)
	here := watch(t, a, "line", viewToken+"&rendition=45p", "") // on the holder alone
	there := watch(t, b, "line", viewToken+"&rendition=90p", "")
	go func() { // the producer's messages are read, so its relay never waits on it
		for {
			if _, _, err := prod.ReadMessage(); err != nil {
				return
			}
		}
	}()
	pump(t, prod)
	frameOf(t, here, "45p")
	frameOf(t, there, "90p")
	for range 10 {
		frameOf(t, there, "90p")
	}
	if n := net.count(FramesKind("90p"), "line"); n < 10 {
		t.Fatalf("%d frames on the 90p subject, want 10 or more", n)
	}
	if n, m := net.count(KindFrames, "line"), net.count(FramesKind("45p"), "line"); n != 0 || m != 0 {
		t.Fatalf("the holder published %d full-size and %d 45p frames that no other relay takes", n, m)
	}
	if n, m := net.listeners(KindFrames, "line"), net.listeners(FramesKind("45p"), "line"); n != 0 || m != 0 {
		t.Fatalf("subscribed to full size %d times and to 45p %d times: nobody watches them on b", n, m)
	}

	// A full-size viewer on b: its frames come too; the 90p viewer leaves:
	// b drops that subject and the holder stops publishing on it.
	full := watch(t, b, "line", viewToken+"&rendition=180p", "")
	frameOf(t, full, "")
	_ = there.Close()
	waitFor(t, "b leaving the 90p subject", func() bool { return net.listeners(FramesKind("90p"), "line") == 0 })
	sa := a.table.Lookup("line")
	waitFor(t, "the holder hearing that", func() bool { return !sa.link.remoteTakes("90p") })
	before := net.count(FramesKind("90p"), "line")
	for range 5 {
		frameOf(t, full, "")
	}
	if n := net.count(FramesKind("90p"), "line"); n != before {
		t.Fatalf("%d frames on the 90p subject after its last viewer left", n-before)
	}
	if w, _ := sa.wanted(); !slices.Equal(w, []string{"45p"}) {
		t.Fatalf("the producer is asked for %v, want 45p alone", w)
	}
}

// Viewers move between renditions without their count changing; a relay
// following the stream subscribes to the new one at once, even while the
// table cannot be read (a full step would stop at the lookup).
func TestAViewerMovedOnAFollowingRelayGetsItsNewRenditionWithoutATableLookup(t *testing.T) {
	net, _, b, prod := twoRelays(t)
	watch(t, b, "line", viewToken, "") // opens the stream on b
	sb := b.table.Lookup("line")
	mover := sb.hub.Subscribe("test", "mover", "")
	t.Cleanup(func() { sb.hub.Unsubscribe(mover) })
	waitFor(t, "b following full size", func() bool { return net.listeners(KindFrames, "line") == 1 })
	net.setAway(true)
	mover.SetRendition("90p")
	waitFor(t, "b following 90p", func() bool { return net.listeners(FramesKind("90p"), "line") == 1 })
	pump(t, prod)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-mover.Wake():
		case <-deadline:
			t.Fatal("the moved viewer got no 90p frame")
		}
		if f := mover.TakeFrame(); f != nil && f.Rendition == "90p" {
			return
		}
	}
}

func TestBadViewerReportsFromTheBusChangeNothing(t *testing.T) {
	net, a, _, _ := twoRelays(t)
	sa := a.table.Lookup("line")
	waitFor(t, "the holder listening for reports", func() bool { return net.listeners(KindViewers, "line") == 1 })
	report := func(r any) {
		b, ok := r.([]byte)
		if !ok {
			b, _ = json.Marshal(r)
		}
		net.publish(KindViewers, "line", b)
	}
	report(viewerReport{Relay: "good", Count: 2, Takes: []string{"90p"}})
	check := func(t *testing.T) {
		t.Helper()
		sa.link.mu.Lock()
		reports, taken := len(sa.link.reports), len(sa.link.taken)
		good := sa.link.reports["good"]
		sa.link.mu.Unlock()
		if reports != 1 || good.count != 2 || taken != 1 || !sa.link.remoteTakes("90p") {
			t.Fatalf("reports %d (good: %+v), %d renditions taken: want good's alone", reports, good, taken)
		}
		if w, _ := sa.wanted(); !slices.Equal(w, []string{"90p"}) {
			t.Fatalf("the producer would be asked for %v", w)
		}
	}
	check(t)
	for _, c := range []struct {
		name   string
		report any
	}{
		{"more names than a ladder has renditions in every codec", viewerReport{Relay: "good", Count: 2, Takes: tooManyTakes()}},
		{"a codec a relay does not pass on", viewerReport{Relay: "good", Count: 2, Takes: []string{"45p@vp9"}}},
		{"a codec named twice", viewerReport{Relay: "good", Count: 2, Takes: []string{"45p@h264@h264"}}},
		{"a name unlike 360p", viewerReport{Relay: "good", Count: 2, Takes: []string{"45p", "x.y"}}},
		{"a name with no digits", viewerReport{Relay: "evil", Count: 1, Takes: []string{"p"}}},
		{"a negative count", viewerReport{Relay: "good", Count: -5, Takes: []string{"45p"}}},
		{"this relay's own name", viewerReport{Relay: "a", Count: 1, Takes: []string{"45p"}}},
		{"no relay name", viewerReport{Count: 1, Takes: []string{"45p"}}},
		{"a relay name over the limit", viewerReport{Relay: strings.Repeat("r", maxRelayName+1), Count: 1, Takes: []string{"45p"}}},
		{"not JSON", []byte(`{"relay":"good","count":0`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			report(c.report)
			check(t)
		})
	}
}

// tooManyTakes is one hub key more than a report may name.
func tooManyTakes() []string {
	var out []string
	for i := range maxTakes + 1 {
		out = append(out, fmt.Sprintf("%dp", 90+i))
	}
	return out
}

func TestARelayWithoutRenditionsInItsReportTakesTheOwnSize(t *testing.T) {
	net, a, _, _ := twoRelays(t)
	waitFor(t, "the holder listening for reports", func() bool { return net.listeners(KindViewers, "line") == 1 })
	net.publish(KindViewers, "line", []byte(`{"relay":"older","count":3}`))
	l := a.table.Lookup("line").link
	if !l.remoteTakes("") || !slices.Equal(l.remoteWanted(), []string{""}) {
		t.Fatal("a report without takes, from a relay before renditions, must take the own size alone")
	}
}

func TestAFrameOnAnotherRenditionsSubjectIsDropped(t *testing.T) {
	net, _, b, _ := twoRelays(t)
	watch(t, b, "line", viewToken, "") // follows full size
	sb := b.table.Lookup("line")
	small := sb.hub.Subscribe("test", "small", "90p")
	t.Cleanup(func() { sb.hub.Unsubscribe(small) })
	waitFor(t, "b following both", func() bool {
		return net.listeners(KindFrames, "line") == 1 && net.listeners(FramesKind("90p"), "line") == 1
	})
	wire, err := protocol.EncodeFrame(protocol.Header{Seq: 1, TS: time.Now().UnixMicro(), W: 160, H: 90, Rendition: "90p"},
		picture(t, 160, 90, color.RGBA{0, 0, 200, 255}))
	if err != nil {
		t.Fatal(err)
	}
	net.publish(KindFrames, "line", wire)
	if f := small.TakeFrame(); f != nil {
		t.Fatal("a 90p frame on the full-size subject reached a 90p viewer")
	}
	net.publish(FramesKind("90p"), "line", wire)
	if f := small.TakeFrame(); f == nil || f.Rendition != "90p" {
		t.Fatalf("the 90p frame on its own subject: %+v", f)
	}
}

func TestALadderFromTheTableIsCheckedAndNeverReplacesALocalProducers(t *testing.T) {
	net := newBusNet()
	b := startRelayWith(t, func(_ *Config, d *Deps) { d.Bus = net.bus("b", 1<<20) })
	row := func(viewers int, ladder []protocol.Rendition) {
		now := time.Now()
		net.setRow("line", Entry{Hash: protocol.HashToken(viewToken), Relay: "x", Since: now, At: now, Viewers: viewers, Ladder: ladder})
	}
	row(1, clusterLadder)
	if h := helloOf(t, watch(t, b, "line", viewToken, "")); len(h.Renditions) != 3 {
		t.Fatalf("hello %+v, want the table's ladder", h)
	}
	s := b.table.Lookup("line")
	// Steps are seen by the count they copy; the one after a count has
	// been seen has read that row's ladder too.
	stepped := func(viewers int) {
		waitFor(t, "a step", func() bool { return s.Stats().ClusterViewers == viewers })
	}
	growing := slices.Clone(clusterLadder)
	growing[2].W, growing[2].H = 640, 360
	tooMany := protocol.Ladder(1920, 1080, 80, []protocol.Rendition{{Name: "900p", W: 1600, H: 900, Quality: 70},
		{Name: "720p", W: 1280, H: 720, Quality: 70}, {Name: "540p", W: 960, H: 540, Quality: 70},
		{Name: "360p", W: 640, H: 360, Quality: 70}, {Name: "240p", W: 426, H: 240, Quality: 70},
		{Name: "180p", W: 320, H: 180, Quality: 70}, {Name: "90p", W: 160, H: 90, Quality: 70}})
	badName := slices.Clone(clusterLadder)
	badName[1].Name = "90p.x"
	for i, bad := range [][]protocol.Rendition{growing, tooMany, badName} {
		row(10+i, bad)
		stepped(10 + i)
		row(20+i, bad)
		stepped(20 + i)
		if got := s.Renditions(); !slices.Equal(got, clusterLadder) {
			t.Fatalf("bad ladder %d adopted: %v", i, got)
		}
	}
	two := clusterLadder[:2]
	row(30, two)
	stepped(30)
	row(31, two)
	stepped(31)
	if got := s.Renditions(); !slices.Equal(got, two) {
		t.Fatalf("a good new ladder not adopted: %v", got)
	}

	// A producer here: its ladder, whatever the table said.
	prod := produce(t, b, "line", viewToken)
	own := clusterLadder[:1:1]
	own = append(own, protocol.Rendition{Name: "120p", W: 200, H: 120, Quality: 40})
	offerLadder(t, prod, own)
	waitFor(t, "the producer's ladder", func() bool { return slices.Equal(s.Renditions(), own) })
	s.adoptOffer(clusterLadder, nil, false)
	if got := s.Renditions(); !slices.Equal(got, own) {
		t.Fatalf("the table's ladder replaced the local producer's: %v", got)
	}
}

// A relay whose viewers all take a smaller rendition gets no full-size
// frames, yet its /api/state still says how many captures come and the
// stream's own size.
func TestAFollowingRelayWithOnlySmallViewersStillCountsTheStream(t *testing.T) {
	_, _, b, prod := twoRelays(t)
	small := watch(t, b, "line", viewToken+"&rendition=90p", "")
	wantFor(t, prod, "90p")
	pump(t, prod)
	frameOf(t, small, "90p")
	s := b.table.Lookup("line")
	waitFor(t, "captures counted on the following relay", func() bool {
		st := s.Stats()
		return st.Received >= 10 && st.OutputFPS > 0
	})
	if st := s.Stats(); st.Width != 320 || st.Height != 180 {
		t.Fatalf("the following relay says the stream is %dx%d, want the ladder's 320x180", st.Width, st.Height)
	}
}
