// Package bench measures a Framecast server the way viewers see it: it starts
// the server as its own process, connects many real WebSocket viewers, some
// of them slow, and reports latency from capture to receipt, each viewer's
// fps and the server's CPU time per delivered frame.
package bench

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"framecast/backend/client"
)

// Config is one benchmark run.
type Config struct {
	Binary     string        // the framecast binary to start with "serve"
	ServeArgs  []string      // extra serve flags: source, quality, size, fps
	Viewers    int           // viewers in all
	Slow       int           // how many of them read only SlowFPS frames a second
	SlowFPS    int           // the slow viewers' reading rate
	Warmup     time.Duration // before measuring
	Duration   time.Duration // measuring
	ServerAddr string        // where a server already runs (then Binary is not started); host:port
	Token      string        // its token, with ServerAddr
}

// viewerResult is what one viewer saw while measuring.
type viewerResult struct {
	slow      bool
	frames    int
	latencies []time.Duration
	err       error
}

// Run performs one benchmark.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	addr, token := cfg.ServerAddr, cfg.Token
	var srv *process
	if addr == "" {
		var err error
		if srv, err = startServer(ctx, cfg.Binary, cfg.ServeArgs); err != nil {
			return nil, err
		}
		defer srv.stop()
		addr, token = srv.addr, srv.token
	}
	wsURL := "ws://" + addr + "/ws?token=" + url.QueryEscape(token)

	viewers := make([]*client.Viewer, cfg.Viewers)
	for i := range viewers {
		v, err := client.Dial(ctx, wsURL, nil)
		if err != nil {
			for _, v := range viewers[:i] {
				v.Close()
			}
			return nil, fmt.Errorf("viewer %d: %w", i, err)
		}
		viewers[i] = v
	}
	measureFrom := time.Now().Add(cfg.Warmup)
	measureTo := measureFrom.Add(cfg.Duration)
	results := make([]viewerResult, len(viewers))
	var wg sync.WaitGroup
	for i, v := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = watch(v, i < cfg.Slow, cfg.SlowFPS, measureFrom, measureTo)
		}()
	}

	time.Sleep(time.Until(measureFrom))
	var cpu0 time.Duration
	if srv != nil {
		cpu0, _ = srv.cpu()
	}
	time.Sleep(time.Until(measureTo))
	res := &Result{Config: cfg}
	if srv != nil {
		cpu1, err := srv.cpu()
		if err == nil {
			res.ServerCPU = cpu1 - cpu0
		}
		res.ServerRSS, _ = srv.rss()
	}
	for _, v := range viewers {
		v.Close()
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
	}
	res.summarise(results)
	return res, nil
}

// watch reads frames like a viewer that shows each one and acks it. A slow
// viewer then pauses, so it reads only slowFPS frames a second.
func watch(v *client.Viewer, slow bool, slowFPS int, from, to time.Time) viewerResult {
	r := viewerResult{slow: slow}
	for {
		m, err := v.NextFrame(10 * time.Second)
		if err != nil {
			if time.Now().Before(to) {
				r.err = fmt.Errorf("viewer stopped early: %w", err)
			}
			return r
		}
		if m.Received.After(from) && m.Received.Before(to) {
			r.frames++
			r.latencies = append(r.latencies, m.Received.Sub(time.UnixMicro(m.Frame.TS)))
		}
		if err := v.Ack(m.Frame.Seq); err != nil {
			return r
		}
		if slow {
			time.Sleep(time.Second / time.Duration(slowFPS))
		}
	}
}
