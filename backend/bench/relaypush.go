package bench

import (
	"fmt"
	"log/slog"
	"os"
	"slices"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/push"
)

// A relay measured with a codec (RelayConfig.Codec) is fed as a person
// feeds it: Framecast's own engine on the 1280×720 test pattern, pushed
// by backend/push, offering H.264 and the default renditions. The relay
// then asks it for what its viewers take, JPEG or H.264, and passes their
// keyframe requests on, as in use. The engine runs in the bench's process:
// the relay's CPU and memory are measured alone.

// quiet logs the producer's warnings alone: its connecting is no news.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// pushedProducer starts the engine and its push to the relay at base
// (ws://host:port); stop ends both.
func pushedProducer(cfg RelayConfig, base string) (stop func(), err error) {
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: cfg.Quality, MaxWidth: 1280, MaxHeight: 720,
		FPS: cfg.FPS, Enabled: true}, engine.Deps{Hub: h, Renditions: protocol.DefaultRenditions()})
	if err != nil {
		return nil, fmt.Errorf("producer's engine: %w", err)
	}
	p, err := push.New(push.Config{URL: base + "/ingest/bench", PublishToken: relayPublish, ViewToken: relayView,
		Renditions: eng.Renditions, Codecs: func() []string { return []string{protocol.CodecH264} }, Steps: eng.BitrateSteps()}, h, quiet)
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("producer's push: %w", err)
	}
	return func() { p.Close(); eng.Close() }, nil
}

// codecQuery is what a viewer of cfg adds to its /ws URL.
func (cfg RelayConfig) codecQuery() string {
	if cfg.Codec == "" {
		return ""
	}
	return "&codec=" + cfg.Codec
}

// bytesPerFrame is what a viewer read per frame while measuring: its
// socket's bytes over its frames, the median viewer's.
func bytesPerFrame(rs []viewerResult) int {
	var per []int
	for _, r := range rs {
		if r.frames > 0 && !r.role.slow && r.role.link == 0 {
			per = append(per, int(r.bytes)/r.frames)
		}
	}
	if len(per) == 0 {
		return 0
	}
	slices.Sort(per)
	return per[len(per)/2]
}
