package push

import (
	"net"
	"strings"
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
)

func TestAPushTriesTheOtherRelaysInTurn(t *testing.T) {
	// The first relay is down (nothing listens there); the second is up.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	up := rl.Addr().String()

	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 60, MaxWidth: 320, MaxHeight: 180, FPS: 30, Enabled: true}, engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	p, err := New(Config{URL: "ws://" + down + "/ingest/line", Fallbacks: []string{"ws://" + up + "/ingest/line"},
		PublishToken: publishToken, ViewToken: viewToken}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	v := dialRelay(t, up)
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatalf("no frames through the second relay: %v", err)
	}
	if st := p.Status(); st.State != "connected" || !strings.Contains(st.ViewerURL, up) {
		t.Fatalf("status %+v, want connected to %s", st, up)
	}
}

func TestFallbacksAreCheckedAsTheFirstRelay(t *testing.T) {
	c := Config{URL: "ws://a/ingest/line", Fallbacks: []string{"ftp://b/ingest/line"}, PublishToken: publishToken, ViewToken: viewToken}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "ftp://b") {
		t.Fatalf("err = %v, want the bad second relay named", err)
	}
}
