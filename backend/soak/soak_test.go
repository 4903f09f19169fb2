//go:build soak

package soak

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/httpx"
	"framecast/backend/site"
	"framecast/backend/vision"
)

// rss is this process's resident memory.
func rss(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestSoak runs 50 viewers on a stream with faces, motion and overlay for
// FRAMECAST_SOAK (default 60 s) and fails if resident memory grows by more
// than 40 MiB after the first 10 s, or if any viewer stops getting frames.
func TestSoak(t *testing.T) {
	d := 60 * time.Second
	if v := os.Getenv("FRAMECAST_SOAK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatalf("FRAMECAST_SOAK=%q: %v", v, err)
		}
	}
	chain, err := vision.ParseChain("motion,faces,overlay,clock")
	if err != nil {
		t.Fatal(err)
	}
	const token = "soak-token-0123456789"
	cam := config.Camera{Name: "soak", Token: token,
		Stream: engine.Settings{Source: "test", Quality: 70, MaxWidth: 640, MaxHeight: 360, FPS: 30, Enabled: true, Process: chain}}
	// Port 0, any free one: 8188 may be taken by a server running beside the test.
	s, err := site.New(site.Config{Streams: []config.Camera{cam}}, site.Deps{Listen: "127.0.0.1", Assets: fstest.MapFS{}, Limits: httpx.Limits{MaxPerIP: 100}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, srv := s.Stations()[0], s.Server()

	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var frames atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := client.Dial(ctx, "ws://"+srv.Addr().String()+"/ws?token="+token, nil)
			if err != nil {
				errs <- err
				return
			}
			defer v.Close()
			for ctx.Err() == nil {
				m, err := v.NextFrame(5 * time.Second)
				if err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				frames.Add(1)
				_ = v.Ack(m.Frame.Seq)
			}
		}()
	}
	time.Sleep(min(10*time.Second, d/6))
	base, peak := rss(t), int64(0)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			peak = max(peak, rss(t))
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a viewer failed: %v", err)
	}
	t.Logf("%v, 50 viewers: %d frames delivered; RSS %d MiB after warm-up, peak %d MiB; engine %+v",
		d, frames.Load(), base>>20, peak>>20, st.Stats().Chain)
	if peak-base > 40<<20 {
		t.Fatalf("RSS grew from %d MiB to %d MiB", base>>20, peak>>20)
	}
	if frames.Load() < int64(d.Seconds())*50*5 {
		t.Fatalf("only %d frames delivered in %v to 50 viewers", frames.Load(), d)
	}
}
