package server

import (
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

func TestWindowShrinksWhileFramesQueueAndGrowsBack(t *testing.T) {
	h := hub.New()
	v := &wsViewer{sub: h.Subscribe("ws", "test", "")}
	t0 := time.Unix(1000, 0)
	seq := uint64(0)
	// exchange sends one frame and acks it after delay.
	exchange := func(delay time.Duration) {
		seq++
		f, err := hub.NewFrame(protocol.Header{Seq: seq, TS: t0.UnixMicro()}, []byte{0xFF, 0xD8})
		if err != nil {
			t.Fatal(err)
		}
		v.sending(f, t0)
		v.acked(seq, t0.Add(delay))
		t0 = t0.Add(delay)
	}
	cases := []struct {
		name   string
		delay  time.Duration
		rounds int
		want   int
	}{
		{"a viewer that acks at once gets two frames in flight", 3 * time.Millisecond, 10, 2},
		{"a viewer whose acks come 200 ms late gets one", 200 * time.Millisecond, 10, 1},
		{"the same viewer, fast again, gets two again", 3 * time.Millisecond, 20, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i < c.rounds; i++ {
				exchange(c.delay)
			}
			v.flight.mu.Lock()
			got := v.window()
			v.flight.mu.Unlock()
			if got != c.want {
				t.Fatalf("window = %d, want %d", got, c.want)
			}
		})
	}
}
