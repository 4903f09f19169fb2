package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// ParseCodec reads a codec choice as a person writes it (serve's --codec):
// auto or jpeg (engine.Settings.Codec).
func ParseCodec(text string) (string, error) {
	switch c := strings.ToLower(strings.TrimSpace(text)); c {
	case engine.CodecAuto, engine.CodecJPEG:
		return c, nil
	}
	return "", fmt.Errorf("%s is not a codec choice: auto (H.264 to browsers that decode it, JPEG to the rest) or jpeg (JPEG only)", protocol.Quote(text))
}

// ParseBitrate reads an H.264 bitrate as a person writes it (serve's
// --bitrate): auto (0), or bits a second with an optional k or M, such as
// 2M, 2.5M, 800k or 1500000. It is held to the range that
// engine.Settings.Validate allows.
func ParseBitrate(text string) (int, error) {
	t := strings.TrimSpace(text)
	if strings.EqualFold(t, "auto") || t == "0" {
		return 0, nil
	}
	unit := 1.0
	switch {
	case strings.HasSuffix(t, "k"), strings.HasSuffix(t, "K"):
		unit, t = 1e3, t[:len(t)-1]
	case strings.HasSuffix(t, "M"), strings.HasSuffix(t, "m"):
		unit, t = 1e6, t[:len(t)-1]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is not a bitrate: write auto, or bits a second such as 2M, 2.5M or 800k", protocol.Quote(text))
	}
	bps := v * unit
	if bps < engine.MinBitrate || bps > engine.MaxBitrate {
		return 0, fmt.Errorf("%s is out of range: use auto, or from %dk to %dM", protocol.Quote(text), engine.MinBitrate/1000, engine.MaxBitrate/1_000_000)
	}
	return int(math.Round(bps)), nil
}
