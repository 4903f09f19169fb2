package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/push"

	"github.com/gorilla/websocket"
)

// How a relay under test is fed: JPEGs sent as they are, as the Node.js
// baseline gets them (sendFrames), or, measured with a codec
// (RelayConfig.Codec), as a person feeds it: Framecast's own engine on the 1280×720 test pattern, pushed
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

// sendFrames sends the test frames to the relay as a producer of side's
// kind, until stop; res gets the bytes each frame takes on the wire.
func sendFrames(ctx context.Context, cfg RelayConfig, side relaySide, procs []*process, frames [][]byte, res *RelayResult) (stop func(), err error) {
	base := "ws://" + procs[0].addr
	prod, _, err := websocket.DefaultDialer.DialContext(ctx, base+side.produce, nil)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	var rend *ladder
	if side.renditions {
		if rend, err = newLadder(len(frames), cfg.Quality); err != nil {
			prod.Close()
			return nil, err
		}
		if err := prod.WriteMessage(websocket.TextMessage, rend.offer()); err != nil {
			prod.Close()
			return nil, fmt.Errorf("producer: %w", err)
		}
	}
	go func() { // the old relay echoes everything to the producer too
		for {
			_, msg, err := prod.ReadMessage()
			if err != nil {
				return
			}
			if rend != nil {
				rend.read(msg)
			}
		}
	}()
	b64 := make([]string, len(frames))
	for i, f := range frames {
		b64[i] = base64.StdEncoding.EncodeToString(f)
	}
	for _, m := range side.message(1, 1, frames[0], b64[0]) {
		res.BytesPerFrame += len(m[1].([]byte))
	}
	done := make(chan struct{})
	var prodWG sync.WaitGroup
	prodWG.Add(1)
	go func() {
		defer prodWG.Done()
		t := time.NewTicker(time.Second / time.Duration(cfg.FPS))
		defer t.Stop()
		for seq := uint64(1); ; seq++ {
			select {
			case <-done:
				return
			case <-t.C:
			}
			i := int(seq) % len(frames)
			ts := time.Now().UnixMicro()
			msgs := side.message(seq, ts, frames[i], b64[i])
			if rend != nil {
				msgs = append(msgs, rend.messages(seq, ts, i)...)
			}
			for _, m := range msgs {
				_ = prod.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if prod.WriteMessage(m[0].(int), m[1].([]byte)) != nil {
					return
				}
			}
		}
	}()
	stop = func() {
		close(done)
		prodWG.Wait()
		prod.Close()
	}
	if side.renditions { // Framecast's relays: they say when they have the stream
		if err := awaitStream(ctx, procs); err != nil {
			stop()
			return nil, err
		}
	} else {
		time.Sleep(300 * time.Millisecond) // the Node.js relay has no state to ask
	}
	return stop, nil
}
