package protocol

// ChainItem is one step of a processing chain as a person sets it: a
// processor name and its parameters. Missing parameters take their
// defaults.
type ChainItem struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Stats is a stream's state as /api/state, /metrics and the desktop app
// show it: the engine's on the app's server, a relayed producer's on the
// relay. It is a neutral type, so the relay builds without the engine.
type Stats struct {
	Source  string `json:"source"`
	State   string `json:"state"`
	Enabled bool   `json:"enabled"`
	// CaptureFPS is the rate frames are read from the source, OutputFPS
	// the rate they are sent, each measured over the last 2 s.
	CaptureFPS float64 `json:"captureFps"`
	OutputFPS  float64 `json:"outputFps"`
	// Width and Height are the size of the last frame sent: what goes
	// out, as against MaxWidth and MaxHeight, what was asked. 0 while
	// nothing goes out (camera off, nobody watching).
	Width   int `json:"width"`
	Height  int `json:"height"`
	Quality int `json:"quality"`
	// MaxWidth, MaxHeight and FPSCap are the settings, as asked: a source
	// that cannot give that much (a smaller video file, a camera without
	// the size) sends less, and Width, Height and OutputFPS say so.
	MaxWidth   int     `json:"maxWidth"`
	MaxHeight  int     `json:"maxHeight"`
	FPSCap     int     `json:"fpsCap"`
	EncodeMs   float64 `json:"encodeMs"`   // smoothed JPEG encode time
	FrameBytes int     `json:"frameBytes"` // size of the last JPEG
	// FrameRendition names the copy FrameBytes and EncodeMs are of when
	// no viewer takes the stream's own size (a grid's tiles take smaller
	// copies): "360p". "" : the own size's.
	FrameRendition string `json:"frameRendition,omitempty"`
	Error          string `json:"error"` // why the source is failing, while it is
	// JPEGBitrate and H264Bitrate are the bits a second encoded in each
	// codec over the last 2 s, every picture size together (the stream's
	// own, its renditions, copies with boxes drawn on): what the stream
	// makes once, before it is sent to each viewer that takes it. 0 for a
	// codec nobody takes; a relay encodes nothing.
	JPEGBitrate float64 `json:"jpegBitrate"`
	H264Bitrate float64 `json:"h264Bitrate"`
	// Process is the processing chain as set.
	Process []ChainItem `json:"process"`
	// Chain is each processor's smoothed time per frame, in chain order.
	Chain []ProcTime `json:"chain"`
	// Skipped counts frames dropped because processing was still busy
	// with an earlier one, and SkipCause says what it was doing when the
	// last of them was dropped (see SkipCause values).
	Skipped   uint64 `json:"skipped,omitempty"`
	SkipCause string `json:"skipCause,omitempty"`
	// Captured and Encoded count frames since the engine started; a relay
	// does neither.
	Captured uint64 `json:"captured,omitempty"`
	Encoded  uint64 `json:"encoded,omitempty"`
	// Received counts the pictures a relay took from its producers and
	// Refused the producer messages it refused, the last of them with its
	// reason in LastRefusal. On a relay CaptureFPS is the rate pictures
	// arrive at and OutputFPS the rate they are passed on to viewers.
	Received    uint64 `json:"received,omitempty"`
	Refused     uint64 `json:"refused,omitempty"`
	LastRefusal string `json:"lastRefusal,omitempty"`
	// On relays joined in a cluster (--nats): the relay that holds the
	// producer, and the viewers on every relay.
	Holder         string `json:"holder,omitempty"`
	ClusterViewers int    `json:"clusterViewers,omitempty"`
}

// What the engine was busy with when it skipped a frame (Stats.SkipCause):
// the stage its processing goroutine was in when a newer frame replaced
// one still waiting for it.
const (
	// SkipByCPU: it was waiting for that frame, yet did not get to run
	// before the next came. Nothing of the stream's is slow; the computer
	// is busy (other programs, a browser drawing the preview, -race).
	SkipByCPU = "cpu"
	// SkipByEncoder: scaling and JPEG-encoding the stream's own size.
	SkipByEncoder = "encoder"
	// SkipByRenditions: encoding the smaller copies viewers take (the
	// desktop's preview takes one).
	SkipByRenditions = "renditions"
	// SkipByProcessor prefixes the chain's slowest processor, as in
	// "processor:faces": the processing chain was running.
	SkipByProcessor = "processor:"
)
