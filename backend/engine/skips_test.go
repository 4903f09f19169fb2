package engine

import (
	"image"
	"strings"
	"testing"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/vision"

	"gocv.io/x/gocv"
)

// slowChain is a chain of Gaussian blurs that takes at least want a 720p
// frame on this machine: one blur is timed first (20 ms on two quiet
// cores, 100 ms on a loaded one, less with more cores), so the chain is
// slower than the source whatever the machine.
func slowChain(t *testing.T, want time.Duration) string {
	frame := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	defer frame.Close()
	out := gocv.NewMat()
	defer out.Close()
	one := time.Duration(1<<63 - 1)
	for range 3 {
		at := time.Now()
		gocv.GaussianBlur(frame, &out, image.Pt(99, 99), 0, 0, gocv.BorderDefault)
		one = min(one, time.Since(at))
	}
	n := max(1, min(50, int(want/one)+1))
	t.Logf("one blur %v: a chain of %d", one, n)
	return strings.TrimSuffix(strings.Repeat("blur:size=99,", n), ",")
}

// watchSkips takes every frame of subs until d has passed or stop says
// enough, and returns each SkipCause the engine reported meanwhile.
func watchSkips(e *Engine, subs []*hub.Subscriber, d time.Duration, stop func(cause string) bool) []string {
	var causes []string
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	end := time.After(d)
	wake := make(chan struct{}, 1)
	for _, s := range subs {
		go func() {
			for range s.Wake() {
				s.TakeFrame()
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}()
	}
	for {
		select {
		case <-end:
			return causes
		case <-wake:
		case <-tick.C:
			if c := e.Stats().SkipCause; c != "" {
				causes = append(causes, c)
				if stop(c) {
					return causes
				}
			}
		}
	}
}

func TestSkippedFramesAreToldWithTheirCauseOnlyWhileTheyMatter(t *testing.T) {
	slow, err := vision.ParseChain(slowChain(t, 3*time.Second/30))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		process []vision.Item
		want    string // "" no warning, but that the machine is busy
	}{
		{"an empty chain at 30 fps keeps up and warns of nothing", nil, ""},
		{"a processor slower than the source is named", slow, protocol.SkipByProcessor + "blur"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Settings{Source: "test", Quality: 80, MaxWidth: 1280, MaxHeight: 720, FPS: 30, Enabled: true, Process: c.process}
			e, h := start(t, s, Deps{Renditions: protocol.DefaultRenditions()})
			// A viewer of the full size and the desktop's preview (360p).
			full, preview := h.Subscribe("ws", "a", ""), h.Subscribe("preview", "b", "360p")
			defer h.Unsubscribe(full)
			defer h.Unsubscribe(preview)
			causes := watchSkips(e, []*hub.Subscriber{full, preview}, 6*time.Second, func(cause string) bool { return cause == c.want })
			if c.want != "" {
				if len(causes) == 0 || causes[len(causes)-1] != c.want {
					t.Fatalf("causes %q, want %q", causes, c.want)
				}
				return
			}
			// Nothing of the stream's is slow: frames skipped now and
			// then on a machine too busy to run it (two busy loops
			// beside it, -race) may say so, and must not blame a stage.
			for _, got := range causes {
				if got != protocol.SkipByCPU {
					t.Fatalf("warned %q with an empty chain (skipped %d of %d)", causes, e.Stats().Skipped, e.Stats().Captured)
				}
			}
			if len(causes) > 0 {
				t.Logf("the machine was too busy: %d of %d frames skipped", e.Stats().Skipped, e.Stats().Captured)
			}
		})
	}
}
