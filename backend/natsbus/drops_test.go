package natsbus_test

import (
	"fmt"
	"testing"
	"time"

	"framecast/backend/natsbus"
	"framecast/backend/relay"
	"framecast/internal/testnet"
)

// Frames NATS dropped for a relay that fell behind (more than its backlog
// of 8) are told to the relay as a nil message before the next one, so its
// H.264 viewers can wait for a keyframe; without drops there is none.
func TestFramesDroppedForASlowRelayAreToldBeforeTheNext(t *testing.T) {
	srv := natsServer(t)
	bus, err := natsbus.Connect(natsbus.Config{URLs: srv.ClientURL(), Name: "slow"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	release := make(chan struct{})
	got := make(chan []byte, 100)
	first := true
	cancel, err := bus.Subscribe(relay.FramesKind("@h264"), "line", func(b []byte) {
		if first { // the relay is busy with the first frame while more come
			first = false
			<-release
		}
		got <- b
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	slow := natsbus.SlowConsumers()
	for i := range 30 {
		if err := bus.Publish(relay.FramesKind("@h264"), "line", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	// Once NATS has dropped frames past the backlog, the relay catches
	// up, and a last frame comes after.
	testnet.WaitFor(t, 10*time.Second, "frames dropped for the busy relay", func() bool { return natsbus.SlowConsumers() > slow })
	close(release)
	// The stream goes on: a frame sent while the relay still drains its
	// backlog may be dropped too, so "last" is sent again until it comes.
	again := time.NewTicker(200 * time.Millisecond)
	defer again.Stop()
	var seen []string
	gap := false
	for deadline := time.After(10 * time.Second); len(seen) == 0 || seen[len(seen)-1] != "last"; {
		select {
		case <-again.C:
			if err := bus.Publish(relay.FramesKind("@h264"), "line", []byte("last")); err != nil {
				t.Fatal(err)
			}
		case b := <-got:
			if b == nil {
				gap = true
				seen = append(seen, "gap")
				continue
			}
			seen = append(seen, string(b))
		case <-deadline:
			t.Fatalf("the relay got %v and not the last frame", seen)
		}
	}
	if !gap || len(seen) >= 31 {
		t.Fatalf("the relay got %v: want frames dropped and the gap told", seen)
	}
}
