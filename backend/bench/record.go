package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"framecast/backend/protocol"
)

// RunRecord measures what recording costs one stream: cfg's single stream
// served without recording and with it, Runs times each, alternated, the
// recorded runs also timing clip downloads.
func RunRecord(ctx context.Context, cfg StreamsConfig) ([]StreamsResult, error) {
	var out []StreamsResult
	for range cfg.Runs {
		for _, rec := range []bool{false, true} {
			c := cfg
			c.Record = rec
			r, err := runStreams(ctx, c, 1)
			if err != nil {
				return out, fmt.Errorf("record %v: %w", rec, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// PrintRecord writes the median CPU of the runs without and with
// recording, their ratio, and the clips' times.
func PrintRecord(w io.Writer, cfg StreamsConfig, rs []StreamsResult) {
	fmt.Fprintf(w, "record: one test-pattern stream %dx%d at %d fps, %d viewer(s) asking for codec %q, %d run(s) of %v each way, medians:\n",
		cfg.Width, cfg.Height, cfg.FPS, cfg.Viewers, cfg.Codec, cfg.Runs, cfg.Duration)
	var base float64
	for _, rec := range []bool{false, true} {
		var cpu, rss, fps, clips []float64
		for _, r := range rs {
			if r.Record != rec {
				continue
			}
			cpu = append(cpu, r.CPU.Seconds()/cfg.Duration.Seconds())
			rss = append(rss, float64(r.RSS))
			fps = append(fps, r.MinFPS)
			for _, c := range r.Clips {
				clips = append(clips, float64(c)/float64(time.Millisecond))
			}
		}
		if len(cpu) == 0 {
			continue
		}
		c := median(cpu)
		name := "not recording"
		if rec {
			name = "recording    "
		}
		if base == 0 {
			base = c
		}
		fmt.Fprintf(w, "  %s  CPU %5.1f%% of a core (%.3fx)  RSS %5.0f MiB  slowest viewer %4.1f fps  (CPU runs: %s)\n",
			name, 100*c, c/base, median(rss)/(1<<20), median(fps), formatRuns(cpu))
		if len(clips) > 0 {
			fmt.Fprintf(w, "  a 5 s clip, request to last byte: median %.1f ms, slowest %.1f ms of %d\n", median(clips), maxOf(clips), len(clips))
		}
	}
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = max(m, x)
	}
	return m
}

// timeClips downloads n clips of 5 s, each ending 2 s before the end of
// the stream's recording at base, and returns how long each took from
// the request to its last byte.
func timeClips(ctx context.Context, base, token string, n int) ([]time.Duration, error) {
	q := "?token=" + url.QueryEscape(token)
	resp, err := get(ctx, base+"api/recordings"+q)
	if err != nil {
		return nil, err
	}
	var spans []struct{ Start, End time.Time }
	err = json.NewDecoder(resp.Body).Decode(&spans)
	resp.Body.Close()
	if err != nil || len(spans) == 0 {
		return nil, fmt.Errorf("api/recordings: %d spans (%v)", len(spans), err)
	}
	last := spans[len(spans)-1]
	start := last.End.Add(-7 * time.Second)
	if start.Before(last.Start) {
		return nil, fmt.Errorf("recorded %v only: a 5 s clip wants more (a longer --warmup or --duration)", last.End.Sub(last.Start))
	}
	u := base + "clip.mp4" + q + "&duration=5s&start=" + url.QueryEscape(start.Format(time.RFC3339Nano))
	var out []time.Duration
	for range n {
		t0 := time.Now()
		resp, err := get(ctx, u)
		if err != nil {
			return nil, err
		}
		size, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(t0)
		if err != nil || resp.StatusCode != http.StatusOK || size == 0 {
			return nil, fmt.Errorf("clip.mp4: %s, %d bytes (%v)", resp.Status, size, err)
		}
		out = append(out, took)
	}
	return out, nil
}

// get is a GET of u that fails on a status other than 200.
func get(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s: %s", protocol.Redact(u), resp.Status, b)
	}
	return resp, nil
}
