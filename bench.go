package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"framecast/backend/bench"
	"framecast/backend/engine"
	"framecast/internal/cli"
)

// runBench starts `framecast serve` as its own process, so its CPU time is
// measured apart from the viewers', and runs each scenario against it.
func runBench(args []string) error {
	// First of all, as in every command: a signal stops the runs and the
	// servers they started, whenever it comes.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fset := flag.NewFlagSet("framecast bench", flag.ContinueOnError)
	scenarios := fset.String("scenarios", "50/0,50/5,200/0", "comma-separated scenarios, each a separate run: "+bench.ScenarioSyntax)
	slowFPS := fset.Int("slow-fps", 5, "frames a second a slow viewer reads")
	warmup := fset.Duration("warmup", 3*time.Second, "time before measuring")
	duration := fset.Duration("duration", 15*time.Second, "time measured in each scenario")
	source := fset.String("source", "test", "source for the server")
	quality := fset.Int("quality", 80, "JPEG quality")
	width := fset.Int("width", 1280, "max frame width")
	height := fset.Int("height", 720, "max frame height")
	fps := fset.Int("fps", 30, "fps cap")
	process := fset.String("process", "", "processing chain for the server, as for serve --process")
	relayMode := fset.Bool("relay", false, "benchmark framecast relay against the Node.js ws baseline instead of serve")
	nodeRelay := fset.String("node-relay", "backend/bench/node-relay/relay.mjs", "the baseline relay, with --relay (run npm install in its folder first); empty: none")
	relayBins := fset.String("relay-bin", "", "with --relay: framecast-relay binaries to measure, comma-separated (default: this binary's relay command)")
	codecs := fset.String("codecs", "jpeg", "what the viewers ask for, comma-separated: jpeg, h264; each scenario runs once for each, side by side (with --relay: fed by this binary's engine and push instead of JPEGs sent as they are)")
	qualityFrames := fset.Int("quality-frames", 90, "with h264 in --codecs: how many of the source's frames to encode in both codecs, decode and compare with SSIM before the runs (after a second of warm-up); 0: none")
	cluster := fset.Int("cluster", 0, "with --relay: also measure this many relays (2 or more), each with an embedded NATS server joined into one cluster, the producer on the first and the viewers spread over all")
	streams := fset.String("streams", "", "measure serve's cost by its number of streams instead: counts of test-pattern streams of --width x --height at --fps, comma-separated, e.g. 1,4 (each run with one viewer a stream; the first count is the base of the ratios)")
	streamRuns := fset.Int("runs", 3, "with --streams or --record: runs of each count or way, alternated; medians are reported")
	recordMode := fset.Bool("record", false, "measure what recording costs instead: one test-pattern stream of --width x --height at --fps with one viewer (--codecs jpeg or h264), served without and with recording, alternated --runs times; the recorded runs also time 5 s clip downloads")
	if err := cli.ParseFlags(fset, args); err != nil {
		return err
	}
	if *recordMode {
		return benchRecord(ctx, *streamRuns, bench.StreamsConfig{Viewers: 1, Width: *width, Height: *height, FPS: *fps,
			Codec: strings.TrimPrefix(*codecs, "jpeg"), Warmup: *warmup, Duration: *duration})
	}
	if *streams != "" {
		return benchStreams(ctx, *streams, *streamRuns, bench.StreamsConfig{Viewers: 1, Width: *width, Height: *height, FPS: *fps,
			Codec: strings.TrimPrefix(*codecs, "jpeg"), Warmup: *warmup, Duration: *duration})
	}
	codecsSet := false
	fset.Visit(func(f *flag.Flag) { codecsSet = codecsSet || f.Name == "codecs" })
	for _, c := range strings.Split(*codecs, ",") {
		if c != "jpeg" && c != "h264" {
			return fmt.Errorf("--codecs: %q is not a codec: jpeg or h264", c)
		}
	}
	binary, err := os.Executable()
	if err != nil {
		return err
	}
	serveArgs := []string{"--source", *source, "--quality", strconv.Itoa(*quality),
		"--width", strconv.Itoa(*width), "--height", strconv.Itoa(*height), "--fps", strconv.Itoa(*fps)}
	if *process != "" {
		serveArgs = append(serveArgs, "--process", *process)
	}
	fmt.Printf("framecast bench: %s at %dx%d, %d fps cap, quality %d, process %q\n", *source, *width, *height, *fps, *quality, *process)
	var runs []bench.Scenario // all read before the first run, to refuse a typo at once
	for _, sc := range strings.Split(*scenarios, ",") {
		s, err := bench.ParseScenario(sc)
		if err != nil {
			return err
		}
		runs = append(runs, s)
	}
	if strings.Contains(*codecs, "h264") && *qualityFrames > 0 && !*relayMode {
		q, err := engine.MeasureQuality(ctx, engine.QualityConfig{Source: *source, MaxWidth: *width, MaxHeight: *height,
			FPS: *fps, Quality: *quality, Frames: *qualityFrames, Warmup: *fps})
		if err != nil {
			return fmt.Errorf("quality: %w", err)
		}
		printQuality(q, *quality)
	}
	for _, s := range runs {
		sc := s.String()
		if *relayMode {
			var relays []string
			if *relayBins != "" {
				relays = strings.Split(*relayBins, ",")
			}
			relayCodecs := []string{""} // JPEGs sent as they are, as the baseline gets them
			if codecsSet {
				relayCodecs = strings.Split(*codecs, ",")
			}
			for _, codec := range relayCodecs {
				cfg := bench.RelayConfig{Binary: binary, Relays: relays, NodeRelay: *nodeRelay, Cluster: *cluster, Viewers: s.Viewers, Slow: s.Slow, SlowFPS: *slowFPS, Links: s.Links,
					FPS: *fps, Quality: *quality, Codec: codec, Warmup: *warmup, Duration: *duration}
				rs, err := bench.RunRelay(ctx, cfg)
				if err != nil {
					return fmt.Errorf("relay scenario %s: %w", sc, err)
				}
				bench.PrintRelay(os.Stdout, cfg, rs)
			}
			continue
		}
		for _, codec := range strings.Split(*codecs, ",") {
			res, err := bench.Run(ctx, bench.Config{Binary: binary, ServeArgs: serveArgs, Viewers: s.Viewers,
				Slow: s.Slow, SlowFPS: *slowFPS, Links: s.Links, Warmup: *warmup, Duration: *duration, Codec: codec})
			if err != nil {
				return fmt.Errorf("scenario %s (%s): %w", sc, codec, err)
			}
			res.Print(os.Stdout)
		}
	}
	return nil
}

// printQuality writes what each codec keeps of the source's pictures: bytes
// a frame and SSIM against the frame encoded, side by side.
func printQuality(q engine.Quality, jpegQuality int) {
	fmt.Printf("quality over %d frames of %dx%d, after a second of warm-up (SSIM of the decoded luma against the frame encoded):\n", q.Frames, q.Width, q.Height)
	fmt.Printf("  jpeg  q%d            %7.0f B/frame          SSIM %.4f\n", jpegQuality, q.JPEG.Bytes, q.JPEG.SSIM)
	ratio := 0.0
	if q.JPEG.Bytes > 0 {
		ratio = q.H264.Bytes / q.JPEG.Bytes
	}
	fmt.Printf("  h264  %-6s bit/s    %7.0f B/frame (%.2fx)  SSIM %.4f\n", bench.FormatRate(q.H264.Bitrate/1000*1000), q.H264.Bytes, ratio, q.H264.SSIM)
}

// benchStreams runs `framecast bench --streams`.
func benchStreams(ctx context.Context, counts string, runs int, cfg bench.StreamsConfig) error {
	for _, c := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 || n > 64 {
			return fmt.Errorf("--streams: %q is not a count of streams from 1 to 64", c)
		}
		cfg.Counts = append(cfg.Counts, n)
	}
	if runs < 1 {
		return fmt.Errorf("--runs %d: at least 1", runs)
	}
	if cfg.Codec != "" && cfg.Codec != "h264" {
		return fmt.Errorf("--codecs: with --streams, jpeg or h264")
	}
	binary, err := os.Executable()
	if err != nil {
		return err
	}
	cfg.Binary, cfg.Runs = binary, runs
	rs, err := bench.RunStreams(ctx, cfg)
	if err != nil {
		return err
	}
	bench.PrintStreams(os.Stdout, cfg, rs)
	return nil
}

// benchRecord runs `framecast bench --record`.
func benchRecord(ctx context.Context, runs int, cfg bench.StreamsConfig) error {
	if runs < 1 {
		return fmt.Errorf("--runs %d: at least 1", runs)
	}
	if cfg.Codec != "" && cfg.Codec != "h264" {
		return fmt.Errorf("--codecs: with --record, jpeg or h264")
	}
	binary, err := os.Executable()
	if err != nil {
		return err
	}
	cfg.Binary, cfg.Runs = binary, runs
	rs, err := bench.RunRecord(ctx, cfg)
	if err != nil {
		return err
	}
	bench.PrintRecord(os.Stdout, cfg, rs)
	return nil
}
