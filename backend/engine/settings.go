// Package engine runs a stream's capture loop: read a frame from the source,
// process it, scale it, encode it once as JPEG and publish it to the hub.
package engine

import (
	"errors"
	"fmt"
	"reflect"

	"framecast/backend/protocol"
	"framecast/backend/source"
	"framecast/backend/vision"
)

// Settings are what the operator can change while the stream runs.
type Settings struct {
	Source  string `json:"source"`  // a source spec, see source.ParseSpec
	Quality int    `json:"quality"` // JPEG quality, 1–100
	// MaxWidth and MaxHeight bound the frames sent: larger ones are scaled
	// down, and the test pattern and a camera are asked for this size.
	// 0 = no limit on that side.
	MaxWidth  int `json:"maxWidth"`
	MaxHeight int `json:"maxHeight"`
	// FPS caps the frame rate, 1–120; the test pattern, a camera and a
	// still picture are asked for this rate.
	FPS     int  `json:"fps"`
	Enabled bool `json:"enabled"` // false = camera off: the source is released
	// Process is the processing chain, run on every frame before scaling.
	Process []vision.Item `json:"process"`
	// Codec is what viewers may be sent: CodecAuto (H.264 to those that
	// ask for it, JPEG to the rest) or CodecJPEG (JPEG only: no H.264 is
	// encoded, and a viewer asking for it gets JPEG). "" is CodecAuto.
	Codec string `json:"codec"`
	// Bitrate is the H.264 target for the stream's own size, in bits a
	// second; a smaller rendition gets its share by pixel count. 0 = auto:
	// h264BitsPerPixel.
	Bitrate int `json:"bitrate"`
}

// The codec choices of Settings.Codec.
const (
	// CodecAuto sends H.264 to viewers that ask for it, JPEG to the rest.
	CodecAuto = "auto"
	// CodecJPEG sends every viewer JPEG and encodes no H.264.
	CodecJPEG = protocol.CodecJPEG
)

// MinBitrate and MaxBitrate bound Settings.Bitrate (besides 0, auto), in
// bits a second: below 50 kbit/s even 320×180 is a smear, and 100 Mbit/s
// is more than 8K at 60 fps needs.
const (
	MinBitrate = 50_000
	MaxBitrate = 100_000_000
)

// DefaultSettings streams the test pattern at 1280×720, 30 fps, quality 80,
// H.264 to viewers that ask for it at the automatic bitrate.
func DefaultSettings() Settings {
	return Settings{Source: "test", Quality: 80, MaxWidth: 1280, MaxHeight: 720, FPS: 30, Enabled: true, Codec: CodecAuto}
}

// checked is a Settings that passed Validate, in the engine's own form:
// its source spec read, and the hints a source opened under it gets. The
// source text is read once, by check, where settings come in (New, Update);
// everything after uses spec. Source stays as the operator wrote it, for
// viewers, stats and logs.
type checked struct {
	Settings
	spec source.Spec
	opt  source.Options
}

// Validate returns every problem with s, in words a person can act on.
func (s Settings) Validate() error {
	_, err := s.check()
	return err
}

// check is Validate that also hands back s in the engine's own form.
func (s Settings) check() (checked, error) {
	var errs []error
	spec, err := source.ParseSpec(s.Source)
	if err != nil {
		errs = append(errs, err)
	}
	if s.Quality < 1 || s.Quality > 100 {
		errs = append(errs, fmt.Errorf("quality %d: must be from 1 to 100", s.Quality))
	}
	if s.MaxWidth < 0 || s.MaxHeight < 0 || s.MaxWidth > 7680 || s.MaxHeight > 4320 {
		errs = append(errs, fmt.Errorf("max size %dx%d: each side must be from 0 (no limit) to 7680x4320", s.MaxWidth, s.MaxHeight))
	}
	if s.FPS < 1 || s.FPS > 120 {
		errs = append(errs, fmt.Errorf("fps %d: must be from 1 to 120", s.FPS))
	}
	if err := vision.Validate(s.Process); err != nil {
		errs = append(errs, err)
	}
	switch s.Codec {
	case "":
		s.Codec = CodecAuto
	case CodecAuto, CodecJPEG:
	default:
		errs = append(errs, fmt.Errorf("codec %s: must be %s or %s", protocol.Quote(s.Codec), CodecAuto, CodecJPEG))
	}
	if s.Bitrate != 0 && (s.Bitrate < MinBitrate || s.Bitrate > MaxBitrate) {
		errs = append(errs, fmt.Errorf("bitrate %d bit/s: must be 0 (auto) or from %d kbit/s to %d Mbit/s", s.Bitrate, MinBitrate/1000, MaxBitrate/1_000_000))
	}
	if err := errors.Join(errs...); err != nil {
		return checked{}, err
	}
	return checked{Settings: s, spec: spec, opt: s.sourceOptions()}, nil
}

// sourceOptions are the hints given to a source opened under s: the max
// size (the default size when either side has no limit) and the fps cap.
func (s Settings) sourceOptions() source.Options {
	opt := source.Options{Width: s.MaxWidth, Height: s.MaxHeight, FPS: s.FPS}
	if opt.Width == 0 || opt.Height == 0 {
		opt.Width, opt.Height = source.DefaultOptions().Width, source.DefaultOptions().Height
	}
	return opt
}

// retriedFromStart reports whether c's source is one that may be away for a
// while and come back by itself: a network stream (a camera on the network
// rebooting, a server not up yet). Such a source starts even when it cannot
// be opened: viewers see NO SIGNAL until it comes. A file or a camera that
// is not there is a mistake to report at once.
func (c checked) retriedFromStart() bool { return c.spec.Kind == source.KindURL }

// sameChain reports whether two chains are the same (nil and empty are).
func sameChain(a, b []vision.Item) bool {
	return (len(a) == 0 && len(b) == 0) || reflect.DeepEqual(a, b)
}
