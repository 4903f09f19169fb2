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
	Viewers    int           // viewers on no slow link
	Slow       int           // how many of them read only SlowFPS frames a second
	SlowFPS    int           // the slow viewers' reading rate
	Links      []LinkGroup   // viewers on slow links, beside Viewers
	Warmup     time.Duration // before measuring
	Duration   time.Duration // measuring
	ServerAddr string        // where a server already runs (then Binary is not started); host:port
	Token      string        // its token, with ServerAddr
	Codec      string        // what the viewers ask for (?codec=): "" or "jpeg", "h264"
}

// viewerResult is what one viewer saw while measuring.
type viewerResult struct {
	role      role
	frames    int
	latencies []time.Duration
	bytes     int64  // read from its socket
	rendition string // of its last frame, and its bitrate for H.264 (stepLabel)
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
	if cfg.Codec != "" {
		wsURL += "&codec=" + url.QueryEscape(cfg.Codec)
	}

	rs := roles(cfg.Viewers, cfg.Slow, cfg.Links)
	viewers := make([]*client.Viewer, len(rs))
	for i := range viewers {
		v, err := client.DialWith(ctx, linkURL(wsURL, rs[i], cfg.Links), linkOptions(rs[i], cfg.Links))
		if err != nil {
			for _, v := range viewers[:i] {
				v.Close()
			}
			return nil, fmt.Errorf("viewer %d: %w", i, err)
		}
		viewers[i] = v
	}
	m := measure(srv, viewers, rs, cfg.SlowFPS, cfg.Warmup, cfg.Duration)
	res := &Result{Config: cfg, ServerRSS: m.rss}
	if m.cpuErr == nil {
		res.ServerCPU = m.cpu
	}
	results := m.results
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
	}
	res.summarise(results)
	return res, nil
}

// measured is what a server did while its viewers watched.
type measured struct {
	cpu     time.Duration // the server's, over the measured time
	cpuErr  error         // why cpu could not be read
	rss     int64
	results []viewerResult
}

// measure has each viewer watch in its role (rs) for warmup, then
// measures for d: what each saw and, when srv is not nil, the server's CPU
// time and memory. The viewers are closed when it returns.
func measure(srv *process, viewers []*client.Viewer, rs []role, slowFPS int, warmup, d time.Duration) measured {
	from := time.Now().Add(warmup)
	to := from.Add(d)
	m := measured{results: make([]viewerResult, len(viewers))}
	var wg sync.WaitGroup
	for i, v := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.results[i] = watch(v, rs[i], slowFPS, from, to)
		}()
	}
	time.Sleep(time.Until(from))
	var cpu0 time.Duration
	if srv != nil {
		cpu0, _ = srv.cpu()
	}
	time.Sleep(time.Until(to))
	if srv != nil {
		var cpu1 time.Duration
		if cpu1, m.cpuErr = srv.cpu(); m.cpuErr == nil {
			m.cpu = cpu1 - cpu0
		}
		m.rss, _ = srv.rss()
	}
	for _, v := range viewers {
		v.Close()
	}
	wg.Wait()
	return m
}

// stepLabel names the rendition of a viewer's frame, and for H.264 the
// bitrate it was encoded at, rounded to 10 kbit/s: "360p", "-@1.93M" (the
// stream's own size at 1.93 Mbit/s), "-@960k".
func stepLabel(m client.Message) string {
	if m.Frame.Bitrate <= 0 {
		return m.Rendition
	}
	name := m.Rendition
	if name == "" {
		name = "-"
	}
	return name + "@" + FormatRate(m.Frame.Bitrate/10_000*10_000)
}

// watch reads frames like a viewer that shows each one and acks it. A slow
// viewer then pauses, so it reads only slowFPS frames a second; a viewer on
// a slow link is paced by its Viewer's connection instead. It also counts the
// bytes v read while measuring.
func watch(v *client.Viewer, role role, slowFPS int, from, to time.Time) (r viewerResult) {
	r.role = role
	read := make(chan int64, 1) // the bytes read while measuring
	go func() {
		time.Sleep(time.Until(from))
		b := v.BytesRead()
		time.Sleep(time.Until(to))
		read <- v.BytesRead() - b
	}()
	defer func() { r.bytes = <-read }()
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
			r.rendition = stepLabel(m)
		}
		if err := v.Ack(m.Frame.Seq); err != nil {
			return r
		}
		if role.slow {
			time.Sleep(time.Second / time.Duration(slowFPS))
		}
	}
}
