package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"
	"framecast/backend/source"

	"github.com/gorilla/websocket"
	"gocv.io/x/gocv"
)

// RelayConfig is one relay benchmark: a producer pushing 1280×720 JPEGs at
// FPS to a relay, with Viewers watching through it, Slow of them reading only
// SlowFPS frames a second. Framecast's relay and the Node.js baseline get the
// same frames, one after the other.
type RelayConfig struct {
	Binary string // the framecast binary, started as `framecast relay`
	// Relays are relay binaries to measure instead, each started as it is
	// (framecast-relay builds, old and new, side by side in one run).
	Relays    []string
	NodeRelay string // the baseline's relay.mjs, started with node; "": none
	// Cluster, from 2, also measures that many relays joined by NATS (the
	// first of Relays, or Binary's relay command), each running a NATS
	// server of its own joined into one cluster: the producer pushes to the
	// first, and the viewers are spread over all of them.
	Cluster int
	Viewers int
	Slow    int
	SlowFPS int
	// Links are viewers on slow links beside Viewers, watching Framecast's
	// relays (the Node.js baseline, with no acks, gets none).
	Links   []LinkGroup
	FPS     int
	Quality int
	// Codec, when set ("jpeg" or "h264"), is what the viewers ask for
	// (?codec=), from a real producer (relaypush.go) instead of JPEGs sent
	// as they are; the Node.js baseline runs only with JPEG.
	Codec    string
	Warmup   time.Duration
	Duration time.Duration
}

// RelayResult is one relay's figures.
type RelayResult struct {
	Name          string
	Fast, Slow    Group
	Links         []LinkResult  // one for each of RelayConfig.Links; none for the baseline
	BytesPerFrame int           // what one viewer receives per frame, WebSocket payload
	CPU           time.Duration // relay process CPU while measuring
	RSS           int64         // relay resident memory at the end
	Duration      time.Duration
}

const (
	relayPublish = "bench-publish-token-0123"
	relayView    = "bench-view-token-0123456"
)

// RunRelay measures Framecast's relay and then the Node.js baseline.
func RunRelay(ctx context.Context, cfg RelayConfig) ([]RelayResult, error) {
	frames, err := testFrames(30, cfg.Quality)
	if err != nil {
		return nil, err
	}
	var sides []relaySide
	if len(cfg.Relays) == 0 {
		sides = append(sides, framecastRelay(cfg, "framecast relay", cfg.Binary, "relay"))
	}
	for _, bin := range cfg.Relays {
		sides = append(sides, framecastRelay(cfg, filepath.Base(bin), bin))
	}
	if cfg.Cluster >= 2 {
		side := sides[0]
		side.name = fmt.Sprintf("%d relays via NATS", cfg.Cluster)
		side.cluster = cfg.Cluster
		sides = append(sides, side)
	}
	if cfg.NodeRelay != "" && (cfg.Codec == "" || cfg.Codec == protocol.CodecJPEG) {
		sides = append(sides, nodeRelay(cfg))
	}
	var out []RelayResult
	for _, side := range sides {
		r, err := runRelaySide(ctx, cfg, side, frames)
		if err != nil {
			return out, fmt.Errorf("%s: %w", side.name, err)
		}
		out = append(out, *r)
	}
	return out, nil
}

// testFrames encodes n frames of the 1280×720 test pattern.
func testFrames(n, quality int) ([][]byte, error) { return testFramesAt(n, 1280, 720, quality) }

// testFramesAt encodes n frames of the test pattern at w×h.
func testFramesAt(n, w, h, quality int) ([][]byte, error) {
	src, err := source.Open(source.Spec{Kind: source.KindTest}, source.Options{Width: w, Height: h, FPS: 120})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	m := gocv.NewMat()
	defer m.Close()
	var frames [][]byte
	for i := 0; i < n; i++ {
		if err := src.Read(&m); err != nil {
			return nil, err
		}
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, quality})
		if err != nil {
			return nil, err
		}
		frames = append(frames, append([]byte(nil), buf.GetBytes()...))
		buf.Close()
	}
	return frames, nil
}

// relaySide is one relay under test: how to start it, publish to it and
// watch it.
type relaySide struct {
	name    string
	start   func(ctx context.Context, addr string) (*process, error)
	produce string // producer URL path
	// message builds what the producer sends for one frame.
	message func(seq uint64, ts int64, jpeg []byte, b64 string) [][2]any
	watch   func(ctx context.Context, base string, r role, from, to time.Time) (viewerResult, error)
	links   bool // whether it gets the viewers on slow links
	// renditions: the producer offers smaller renditions (Framecast's relays).
	renditions bool
	// cluster: start this many relays joined through NATS and spread the
	// viewers over them (args takes the extra flags); 0: one relay.
	cluster int
	args    func(extra ...string) func(ctx context.Context, addr string) (*process, error)
}

// framecastRelay is a Framecast relay: binary with the leading args (the
// "relay" command of the framecast binary, or none for framecast-relay).
func framecastRelay(cfg RelayConfig, name, binary string, args ...string) relaySide {
	with := func(extra ...string) func(ctx context.Context, addr string) (*process, error) {
		return func(ctx context.Context, addr string) (*process, error) {
			args := append(append([]string{}, args...), "--addr", addr,
				"--publish-token", relayPublish, "--log-level", "warn", "--max-per-ip", "100000")
			return startProcess(ctx, addr, "http://"+addr+"/healthz", binary, append(args, extra...)...)
		}
	}
	return relaySide{
		name:       name,
		start:      with(),
		args:       with,
		renditions: true,
		produce:    "/ingest/bench?token=" + relayPublish + "&view=" + relayView,
		message: func(seq uint64, ts int64, jpeg []byte, _ string) [][2]any {
			msg, _ := protocol.EncodeFrame(protocol.Header{Seq: seq, TS: ts, W: 1280, H: 720}, jpeg)
			return [][2]any{{websocket.BinaryMessage, msg}}
		},
		watch: func(ctx context.Context, base string, r role, from, to time.Time) (viewerResult, error) {
			v, err := client.DialWith(ctx, linkURL(base+"/s/bench/ws?token="+relayView+cfg.codecQuery(), r, cfg.Links), linkOptions(r, cfg.Links))
			if err != nil {
				return viewerResult{}, err
			}
			go func() { <-time.After(time.Until(to) + 500*time.Millisecond); v.Close() }()
			return watch(v, r, cfg.SlowFPS, from, to), nil
		},
		links: true,
	}
}

func nodeRelay(cfg RelayConfig) relaySide {
	return relaySide{
		name: "node ws baseline",
		start: func(ctx context.Context, addr string) (*process, error) {
			_, port, _ := net.SplitHostPort(addr)
			return startProcess(ctx, addr, "", "node", cfg.NodeRelay, port)
		},
		produce: "/",
		// The old producer's way: metadata, then the picture as a base64
		// data URL; here the metadata is the capture time.
		message: func(_ uint64, ts int64, _ []byte, b64 string) [][2]any {
			return [][2]any{
				{websocket.TextMessage, []byte("ts=sq=" + strconv.FormatInt(ts, 10))},
				{websocket.TextMessage, []byte("img=sq=data:image/jpeg;base64," + b64)},
			}
		},
		watch: func(ctx context.Context, base string, r role, from, to time.Time) (viewerResult, error) {
			conn, _, err := websocket.DefaultDialer.DialContext(ctx, base+"/", nil)
			if err != nil {
				return viewerResult{}, err
			}
			go func() { <-time.After(time.Until(to) + 500*time.Millisecond); conn.Close() }()
			return watchOld(conn, r, cfg.SlowFPS, from, to), nil
		},
	}
}

// watchOld reads like the old page: every message, pictures shown as they come.
func watchOld(conn *websocket.Conn, role role, slowFPS int, from, to time.Time) viewerResult {
	r := viewerResult{role: role}
	var ts int64
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return r
		}
		now := time.Now()
		switch {
		case bytes.HasPrefix(msg, []byte("ts=sq=")):
			ts, _ = strconv.ParseInt(string(msg[6:]), 10, 64)
		case bytes.HasPrefix(msg, []byte("img=sq=")):
			if now.After(from) && now.Before(to) && ts > 0 {
				r.frames++
				r.latencies = append(r.latencies, now.Sub(time.UnixMicro(ts)))
			}
			if role.slow {
				time.Sleep(time.Second / time.Duration(slowFPS))
			}
		}
	}
}

func runRelaySide(ctx context.Context, cfg RelayConfig, side relaySide, frames [][]byte) (*RelayResult, error) {
	var procs []*process
	if side.cluster > 0 {
		ps, err := startCluster(ctx, side, side.cluster)
		if err != nil {
			return nil, err
		}
		procs = ps
	} else {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		proc, err := side.start(ctx, addr)
		if err != nil {
			return nil, err
		}
		procs = []*process{proc}
	}
	defer stopAll(procs)
	base := "ws://" + procs[0].addr
	res := &RelayResult{Name: side.name, Duration: cfg.Duration}
	if cfg.Codec != "" && side.renditions { // a Framecast relay, fed by Framecast
		stop, err := pushedProducer(cfg, base)
		if err != nil {
			return nil, err
		}
		defer stop()
		if err := awaitStream(ctx, procs); err != nil {
			return nil, err
		}
	} else {
		stop, err := sendFrames(ctx, cfg, side, procs, frames, res)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	from := time.Now().Add(cfg.Warmup)
	to := from.Add(cfg.Duration)
	var links []LinkGroup
	if side.links {
		links = cfg.Links
	}
	rs := roles(cfg.Viewers, cfg.Slow, links)
	results := make([]viewerResult, len(rs))
	errs := make([]error, len(rs))
	var wg sync.WaitGroup
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = side.watch(ctx, "ws://"+procs[i%len(procs)].addr, rs[i], from, to)
		}()
	}
	time.Sleep(time.Until(from))
	cpu0 := cpuOf(procs)
	time.Sleep(time.Until(to))
	res.CPU = cpuOf(procs) - cpu0
	for _, p := range procs {
		rss, _ := p.rss()
		res.RSS += rss
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if res.BytesPerFrame == 0 {
		res.BytesPerFrame = bytesPerFrame(results)
	}
	res.Fast = summarise(results, isFast, cfg.Duration)
	res.Slow = summarise(results, isSlow, cfg.Duration)
	res.Links = summariseLinks(results, links, cfg.Duration)
	return res, nil
}

// PrintRelay writes the relay results side by side.
func PrintRelay(w io.Writer, cfg RelayConfig, rs []RelayResult) {
	producer := fmt.Sprintf("1 producer, 1280x720 JPEG q%d", cfg.Quality)
	if cfg.Codec != "" {
		producer = fmt.Sprintf("Framecast's push of the 1280x720 test pattern, viewers taking %s (JPEG q%d)", cfg.Codec, cfg.Quality)
	}
	fmt.Fprintf(w, "relay: %s at %d fps; %d viewers (%d read %d frames/s)%s; measured %v after %v\n",
		producer, cfg.FPS, cfg.Viewers, cfg.Slow, cfg.SlowFPS, linksNote(cfg.Links), cfg.Duration, cfg.Warmup)
	fmt.Fprintf(w, "  %-17s %9s %9s %7s %9s %9s %7s %9s %10s %9s\n", "", "p50", "p99", "min fps", "slow p50", "slow p99", "slow fps", "B/frame", "CPU/frame", "RSS MiB")
	for _, r := range rs {
		n := r.Fast.Frames + r.Slow.Frames + linkFrames(r.Links)
		perFrame := time.Duration(0)
		if n > 0 {
			perFrame = r.CPU / time.Duration(n)
		}
		fmt.Fprintf(w, "  %-17s %9s %9s %7.1f %9s %9s %7.1f %9d %8.1fµs %9.1f\n", r.Name,
			ms(r.Fast.P50), ms(r.Fast.P99), r.Fast.MinFPS, ms(r.Slow.P50), ms(r.Slow.P99), r.Slow.MedianFPS,
			r.BytesPerFrame, float64(perFrame.Nanoseconds())/1000, float64(r.RSS)/(1<<20))
		printLinks(w, "    ", r.Links)
	}
}

// cpuOf is the CPU time of every relay process of a side.
func cpuOf(procs []*process) time.Duration {
	var sum time.Duration
	for _, p := range procs {
		c, _ := p.cpu()
		sum += c
	}
	return sum
}
