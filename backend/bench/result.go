package bench

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Group summarises a set of viewers.
type Group struct {
	Viewers   int
	P50, P99  time.Duration // capture→receive latency over all their frames
	MinFPS    float64       // the worst viewer's fps
	MedianFPS float64
	Frames    int   // frames received while measuring
	Bytes     int64 // read from their sockets while measuring
}

// Result is one run's figures.
type Result struct {
	Config    Config
	Fast      Group
	Slow      Group
	Links     []LinkResult  // one for each of Config.Links
	ServerCPU time.Duration // server process CPU time while measuring
	ServerRSS int64         // server resident memory at the end, bytes
}

// summarise sums up the viewers that in says belong to the group.
func summarise(rs []viewerResult, in func(viewerResult) bool, d time.Duration) Group {
	var g Group
	var lat []time.Duration
	var fps []float64
	for _, r := range rs {
		if !in(r) {
			continue
		}
		g.Viewers++
		g.Frames += r.frames
		g.Bytes += r.bytes
		lat = append(lat, r.latencies...)
		fps = append(fps, float64(r.frames)/d.Seconds())
	}
	if g.Viewers == 0 {
		return g
	}
	slices.Sort(lat)
	slices.Sort(fps)
	if len(lat) > 0 {
		g.P50 = lat[len(lat)/2]
		g.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	g.MinFPS, g.MedianFPS = fps[0], fps[len(fps)/2]
	return g
}

// isFast and isSlow pick the viewers on no slow link that read every frame,
// and those that read only SlowFPS frames a second.
func isFast(r viewerResult) bool { return r.role.link == 0 && !r.role.slow }
func isSlow(r viewerResult) bool { return r.role.link == 0 && r.role.slow }

func (r *Result) summarise(rs []viewerResult) {
	r.Fast = summarise(rs, isFast, r.Config.Duration)
	r.Slow = summarise(rs, isSlow, r.Config.Duration)
	r.Links = summariseLinks(rs, r.Config.Links, r.Config.Duration)
}

// CPUPerFrame is the server's CPU time per frame delivered to any viewer.
func (r *Result) CPUPerFrame() time.Duration {
	n := r.Fast.Frames + r.Slow.Frames + linkFrames(r.Links)
	if n == 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(n)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// Print writes the result as a small table.
func (r *Result) Print(w io.Writer) {
	c := r.Config
	codec := c.Codec
	if codec == "" {
		codec = "jpeg"
	}
	fmt.Fprintf(w, "viewers %d (slow %d at %d fps)%s, %s, measured %v after %v warm-up\n", c.Viewers, c.Slow, c.SlowFPS, linksNote(c.Links), codec, c.Duration, c.Warmup)
	row := func(name string, g Group) {
		if g.Viewers == 0 {
			return
		}
		perFrame := int64(0)
		if g.Frames > 0 {
			perFrame = g.Bytes / int64(g.Frames)
		}
		fmt.Fprintf(w, "  %-5s viewers %3d  latency p50 %8s  p99 %8s  fps min %5.1f  median %5.1f  %6d B/frame\n",
			name, g.Viewers, ms(g.P50), ms(g.P99), g.MinFPS, g.MedianFPS, perFrame)
	}
	row("fast", r.Fast)
	row("slow", r.Slow)
	printLinks(w, "  ", r.Links)
	if r.ServerCPU > 0 {
		fmt.Fprintf(w, "  server CPU %v over %d delivered frames = %.1f µs/frame; RSS %.1f MiB\n",
			r.ServerCPU, r.Fast.Frames+r.Slow.Frames+linkFrames(r.Links), float64(r.CPUPerFrame().Nanoseconds())/1000, float64(r.ServerRSS)/(1<<20))
	}
}
