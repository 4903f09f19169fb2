package relay

import (
	"encoding/json"
	"image/color"
	"strings"
	"testing"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// nextWant reads the producer's connection until the relay says which
// renditions to send, and returns that list.
func nextWant(t *testing.T, prod *websocket.Conn) []string {
	t.Helper()
	_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, msg, err := prod.ReadMessage()
		if err != nil {
			t.Fatalf("no renditions message: %v", err)
		}
		var c protocol.RenditionsWant
		if json.Unmarshal(msg, &c) == nil && c.Type == "renditions" {
			return c.Want
		}
	}
}

func TestTheRelayAsksTheProducerForTheRenditionsItsViewersTake(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "line", viewToken)
	ladder, _ := json.Marshal(protocol.RenditionsOffer{Type: "renditions", Renditions: protocol.Ladder(320, 180, 80,
		[]protocol.Rendition{{Name: "90p", W: 160, H: 90, Quality: 60}})})
	if err := prod.WriteMessage(websocket.TextMessage, ladder); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ladder", func() bool { return len(rl.table.Lookup("line").Renditions()) == 2 })

	full := watch(t, rl, "line", viewToken, "")
	small := watch(t, rl, "line", viewToken+"&rendition=90p", "")
	if got := nextWant(t, prod); strings.Join(got, ",") != "90p" {
		t.Fatalf("the relay asked for %v, want [90p]", got)
	}
	big := picture(t, 320, 180, color.RGBA{200, 0, 0, 255})
	little := picture(t, 160, 90, color.RGBA{0, 200, 0, 255})
	for seq := uint64(1); seq <= 3; seq++ {
		ts := time.Now().UnixMicro()
		sendFrame(t, prod, protocol.Header{Seq: seq, TS: ts, W: 320, H: 180}, big)
		sendFrame(t, prod, protocol.Header{Seq: seq, TS: ts, W: 160, H: 90, Rendition: "90p"}, little)
	}
	m, err := full.NextFrame(5 * time.Second)
	if err != nil || m.Frame.W != 320 || m.Frame.Rendition != "" {
		t.Fatalf("the full-size viewer got %+v, %v", m.Frame, err)
	}
	m, err = small.NextFrame(5 * time.Second)
	if err != nil || m.Frame.W != 160 || m.Frame.Rendition != "90p" {
		t.Fatalf("the 90p viewer got %+v, %v", m.Frame, err)
	}
	_ = small.Close()
	if got := nextWant(t, prod); len(got) != 0 {
		t.Fatalf("after the 90p viewer left the relay asked for %v, want nothing", got)
	}
	// A rendition the producer never offered is refused.
	sendFrame(t, prod, protocol.Header{Seq: 4, TS: time.Now().UnixMicro(), W: 160, H: 90, Rendition: "45p"}, little)
	waitFor(t, "the refusal", func() bool {
		return strings.Contains(rl.table.Lookup("line").Stats().LastRefusal, "has not offered")
	})
}
