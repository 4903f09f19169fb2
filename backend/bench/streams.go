package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"framecast/backend/client"
)

// StreamsConfig measures how a server's cost grows with its streams: one
// `framecast serve --config` per count, each of Count test-pattern streams,
// every stream watched by Viewers viewers.
type StreamsConfig struct {
	Binary   string
	Counts   []int // e.g. 1, 4: each measured Runs times, the counts alternated
	Runs     int
	Viewers  int // per stream
	Width    int
	Height   int
	FPS      int
	Codec    string // what the viewers ask for: "" (JPEG) or h264
	Warmup   time.Duration
	Duration time.Duration
	// Record records every stream (record: dir in the file) and, after the
	// measure, times clip.mp4 downloads of the recording (StreamsResult.Clips).
	Record bool
}

// StreamsResult is one run of one count.
type StreamsResult struct {
	Streams int
	CPU     time.Duration // the server's, while measuring
	RSS     int64
	MinFPS  float64 // the slowest viewer's
	Record  bool
	// Clips are the times from asking for a 5 s clip of the first stream
	// to its last byte, with Record.
	Clips []time.Duration
}

// RunStreams measures every count Runs times, alternating them so a busy
// moment of the machine falls on all alike.
func RunStreams(ctx context.Context, cfg StreamsConfig) ([]StreamsResult, error) {
	var out []StreamsResult
	for range cfg.Runs {
		for _, n := range cfg.Counts {
			r, err := runStreams(ctx, cfg, n)
			if err != nil {
				return out, fmt.Errorf("%d streams: %w", n, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// streamsFile is a config file of n test-pattern streams on addr,
// recorded into recDir with cfg.Record.
func streamsFile(cfg StreamsConfig, n int, addr, token, recDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "addr: %q\ntoken: %q\nstreams:\n", addr, token)
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    source: test\n    width: %d\n    height: %d\n    fps: %d\n", i+1, cfg.Width, cfg.Height, cfg.FPS)
	}
	if cfg.Record {
		fmt.Fprintf(&b, "record:\n  dir: %q\n", recDir)
	}
	return b.String()
}

func runStreams(ctx context.Context, cfg StreamsConfig, n int) (StreamsResult, error) {
	res := StreamsResult{Streams: n, Record: cfg.Record}
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "framecast-bench-")
	if err != nil {
		return res, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	token := "bench-token-" + fmt.Sprint(time.Now().UnixNano())
	file := filepath.Join(dir, "framecast.yaml")
	if err := os.WriteFile(file, []byte(streamsFile(cfg, n, addr, token, filepath.Join(dir, "recordings"))), 0o600); err != nil {
		return res, err
	}
	srv, err := startProcess(ctx, addr, "http://"+addr+"/healthz", cfg.Binary,
		"serve", "--config", file, "--log-level", "warn", "--max-per-ip", "100000")
	if err != nil {
		return res, err
	}
	defer srv.stop()
	var viewers []*client.Viewer
	defer func() {
		for _, v := range viewers {
			v.Close()
		}
	}()
	for i := range n {
		u := fmt.Sprintf("ws://%s/s/s%d/ws?token=%s", addr, i+1, url.QueryEscape(token))
		if cfg.Codec != "" {
			u += "&codec=" + url.QueryEscape(cfg.Codec)
		}
		for range cfg.Viewers {
			v, err := client.Dial(ctx, u, nil)
			if err != nil {
				return res, err
			}
			viewers = append(viewers, v)
		}
	}
	m := measure(srv, viewers, make([]role, len(viewers)), 0, cfg.Warmup, cfg.Duration)
	viewers = nil // closed
	if m.cpuErr != nil {
		return res, m.cpuErr
	}
	if cfg.Record {
		if res.Clips, err = timeClips(ctx, "http://"+addr+"/s/s1/", token, 5); err != nil {
			return res, err
		}
	}
	res.CPU, res.RSS = m.cpu, m.rss
	res.MinFPS = -1
	for _, r := range m.results {
		if r.err != nil {
			return res, r.err
		}
		fps := float64(r.frames) / cfg.Duration.Seconds()
		if res.MinFPS < 0 || fps < res.MinFPS {
			res.MinFPS = fps
		}
	}
	return res, nil
}

// PrintStreams writes each count's median CPU, its ratio to the smallest
// count's, memory and the slowest viewer's fps.
func PrintStreams(w io.Writer, cfg StreamsConfig, rs []StreamsResult) {
	fmt.Fprintf(w, "streams: test pattern %dx%d at %d fps each, %d viewer(s) a stream, codec %q, %d run(s) of %v, medians:\n",
		cfg.Width, cfg.Height, cfg.FPS, cfg.Viewers, cfg.Codec, cfg.Runs, cfg.Duration)
	var base float64
	for _, n := range cfg.Counts {
		var cpu, rss, fps []float64
		for _, r := range rs {
			if r.Streams == n {
				cpu = append(cpu, r.CPU.Seconds()/cfg.Duration.Seconds())
				rss = append(rss, float64(r.RSS))
				fps = append(fps, r.MinFPS)
			}
		}
		if len(cpu) == 0 {
			continue
		}
		c := median(cpu)
		if base == 0 {
			base = c
		}
		fmt.Fprintf(w, "  %2d streams  CPU %5.1f%% of a core (%.2fx)  RSS %5.0f MiB  slowest viewer %4.1f fps  (CPU runs: %s)\n",
			n, 100*c, c/base, median(rss)/(1<<20), median(fps), formatRuns(cpu))
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func formatRuns(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.1f%%", 100*x)
	}
	return strings.Join(parts, " ")
}
