package server

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/httpx"
)

// TestThousandViewerCyclesLeaveNothingBehind connects and disconnects 1,000
// viewers, 200 at a time, each reading a frame first, and checks that the
// goroutines and the heap come back to where they were.
func TestThousandViewerCyclesLeaveNothingBehind(t *testing.T) {
	s := startStreamWith(t, smallSettings(), httpx.Limits{MaxPerIP: 500})
	warm := s.dial(t)
	if _, err := warm.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	settle := func() (int, uint64) {
		var ms runtime.MemStats
		for i := 0; i < 3; i++ {
			time.Sleep(200 * time.Millisecond)
			runtime.GC()
		}
		runtime.ReadMemStats(&ms)
		return runtime.NumGoroutine(), ms.HeapAlloc
	}
	g0, h0 := settle()
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				v, err := client.Dial(ctx, s.wsURL(token), nil)
				if err != nil {
					errs <- err
					return
				}
				defer v.Close()
				if _, err := v.NextFrame(10 * time.Second); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	g1, h1 := settle()
	for g1 > g0+5 && time.Now().Before(deadline) {
		g1, h1 = settle()
	}
	if g1 > g0+5 {
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Fatalf("goroutines %d before, %d after 1,000 viewers:\n%s", g0, g1, buf[:n])
	}
	if h1 > h0+8<<20 {
		t.Fatalf("heap %d MiB before, %d MiB after 1,000 viewers", h0>>20, h1>>20)
	}
	if n := len(s.hub.Viewers(time.Now())); n != 1 {
		t.Fatalf("%d viewers left in the hub, want the 1 still connected", n)
	}
	t.Logf("goroutines %d → %d, heap %d KiB → %d KiB", g0, g1, h0>>10, h1>>10)
}
