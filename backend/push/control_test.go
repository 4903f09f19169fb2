package push

import (
	"log/slog"
	"strings"
	"testing"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// The push and the relay speak the control messages of protocol: a ladder
// the push offers is read by the relay, whose refusal of it is read back by
// the push. (Viewer counts and wanted renditions travel the other way in
// TestThePushTakesFramesOnlyWhileSomebodyWatchesOnTheRelay and
// TestAViewerOnTheRelayGetsTheRenditionItAsksForFromTheProducer.)
func TestARelaysRefusalOfTheOfferedLadderReachesThePush(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	logs := newLogLines()
	log := slog.New(slog.NewTextHandler(logs, nil))
	bad := []protocol.Rendition{{Name: "720p", W: 1280, H: 720, Quality: 80}, {Name: "tiny", W: 160, H: 90, Quality: 60}}
	p, err := New(Config{URL: "ws://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken,
		Renditions: func() []protocol.Rendition { return bad }}, hub.New(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	logs.waitFor(t, "named like 360p", 1)
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "named like 360p") && !strings.Contains(line, "the relay refused") {
			t.Fatalf("the relay's reason is logged, but not as its refusal: %s", line)
		}
	}
	// A refused message leaves the push connected.
	if st := p.Status(); st.State != "connected" {
		t.Fatalf("after the refusal the push is %+v, want connected", st)
	}
}
