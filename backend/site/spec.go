package site

import (
	"encoding/json"
	"errors"
	"fmt"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/record"
	"framecast/backend/vision"
)

// StreamSpec is a stream's settings as the runtime API reads them: the
// config file's keys and value syntax (docs/config.md). In a PUT every key
// is optional and only those given change.
type StreamSpec struct {
	Name       *string `json:"name,omitempty"`
	Source     *string `json:"source,omitempty"`
	Process    *string `json:"process,omitempty"` // as --process: "faces,overlay"
	Quality    *int    `json:"quality,omitempty"`
	Width      *int    `json:"width,omitempty"`
	Height     *int    `json:"height,omitempty"`
	FPS        *int    `json:"fps,omitempty"`
	Codec      *string `json:"codec,omitempty"`   // auto or jpeg
	Bitrate    *string `json:"bitrate,omitempty"` // auto, 2M, 800k
	Renditions *string `json:"renditions,omitempty"`
	Enabled    *bool   `json:"enabled,omitempty"`
	Token      *string `json:"token,omitempty"` // the stream's viewer token
	Record     *bool   `json:"record,omitempty"`
	// Push is false, true (the site's relay under the stream's name) or a
	// relay's ingest URL.
	Push json.RawMessage `json:"push,omitempty"`
}

// apply changes c as spec says; relay is where push: true pushes. Every
// problem is returned, named by its key.
func (spec StreamSpec) apply(c *config.Camera, relay config.Push) error {
	var errs []error
	if spec.Name != nil {
		c.Name = *spec.Name
	}
	if err := spec.applyStream(&c.Stream); err != nil {
		errs = append(errs, err)
	}
	if spec.Renditions != nil {
		r, err := protocol.ParseRenditions(*spec.Renditions)
		if err != nil {
			errs = append(errs, err)
		}
		if r == nil {
			r = []protocol.Rendition{} // none, not the default
		}
		c.Renditions = r
	}
	if spec.Token != nil {
		if err := protocol.CheckToken(*spec.Token); err != nil {
			errs = append(errs, fmt.Errorf("token: %w", err))
		}
		c.Token = *spec.Token
	}
	if spec.Record != nil {
		c.Record = *spec.Record
	}
	if len(spec.Push) > 0 {
		p, err := pushSpec(spec.Push, c.Name, relay)
		if err != nil {
			errs = append(errs, fmt.Errorf("push: %w", err))
		}
		c.Push = p
	}
	if !protocol.ValidStreamName(c.Name) {
		errs = append(errs, fmt.Errorf("name %s: %s", protocol.Quote(c.Name), protocol.StreamNameRule))
	}
	if err := c.Stream.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// changesStream reports whether spec changes the engine's settings.
func (spec StreamSpec) changesStream() bool {
	return spec.Source != nil || spec.Process != nil || spec.Quality != nil || spec.Width != nil || spec.Height != nil ||
		spec.FPS != nil || spec.Enabled != nil || spec.Codec != nil || spec.Bitrate != nil
}

// applyStream changes the engine's settings s as spec says.
func (spec StreamSpec) applyStream(s *engine.Settings) error {
	var errs []error
	if spec.Source != nil {
		s.Source = *spec.Source
	}
	if spec.Process != nil {
		items, err := vision.ParseChain(*spec.Process)
		if err != nil {
			errs = append(errs, fmt.Errorf("process: %w", err))
		}
		s.Process = items
	}
	setInt(&s.Quality, spec.Quality)
	setInt(&s.MaxWidth, spec.Width)
	setInt(&s.MaxHeight, spec.Height)
	setInt(&s.FPS, spec.FPS)
	if spec.Enabled != nil {
		s.Enabled = *spec.Enabled
	}
	if spec.Codec != nil {
		codec, err := config.ParseCodec(*spec.Codec)
		if err != nil {
			errs = append(errs, fmt.Errorf("codec: %w", err))
		}
		s.Codec = codec
	}
	if spec.Bitrate != nil {
		b, err := config.ParseBitrate(*spec.Bitrate)
		if err != nil {
			errs = append(errs, fmt.Errorf("bitrate: %w", err))
		}
		s.Bitrate = b
	}
	return errors.Join(errs...)
}

func setInt(dst, v *int) {
	if v != nil {
		*dst = *v
	}
}

// pushSpec reads push: false, true (relay under name) or an ingest URL.
func pushSpec(raw json.RawMessage, name string, relay config.Push) (config.Push, error) {
	var on bool
	if err := json.Unmarshal(raw, &on); err == nil {
		if !on {
			return config.Push{}, nil
		}
		if relay.Relay == "" {
			return config.Push{}, errors.New("true needs the relay's address (relay: url in the config file, or --push)")
		}
		p := relay
		p.Enabled, p.Stream = true, name
		return p, p.Validate()
	}
	var ingest string
	if err := json.Unmarshal(raw, &ingest); err != nil {
		return config.Push{}, errors.New("give false, true or the relay's ingest URL")
	}
	return config.PushFromURL(ingest, relay.PublishToken)
}

// StreamInfo is a stream as the runtime API shows it. The source's
// credentials are left out; the links carry the stream's token, which the
// admin token may see.
type StreamInfo struct {
	Name       string   `json:"name"`
	Source     string   `json:"source"`
	Process    string   `json:"process"`
	Quality    int      `json:"quality"`
	Width      int      `json:"width"`
	Height     int      `json:"height"`
	FPS        int      `json:"fps"`
	Codec      string   `json:"codec"`
	Bitrate    string   `json:"bitrate"`
	Renditions string   `json:"renditions"`
	Enabled    bool     `json:"enabled"`
	Push       PushInfo `json:"push"`
	Record     bool     `json:"record"`
	// RecordError says why a stream set to record is not recording now
	// (a full disk); empty while it records or is not set to.
	RecordError string   `json:"recordError,omitempty"`
	Viewers     int      `json:"viewers"`
	Links       []string `json:"links"`
}

// PushInfo is a stream's push as the runtime API shows it, without the
// publish token.
type PushInfo struct {
	Enabled bool   `json:"enabled"`
	Relay   string `json:"relay,omitempty"`
	Stream  string `json:"stream,omitempty"`
	State   string `json:"state"`
}

// formatBitrate writes a bitrate as ParseBitrate reads it.
func formatBitrate(b int) string {
	if b == 0 {
		return "auto"
	}
	return fmt.Sprint(b)
}

// info is what the API shows of a stream: s its settings in force (a
// fallback source shows as such), c what the operator chose.
func info(c config.Camera, s engine.Settings, pushState string, rec record.Status, viewers int, links []string) StreamInfo {
	return StreamInfo{Name: c.Name, Source: protocol.Redact(s.Source), Process: vision.FormatChain(s.Process),
		Quality: s.Quality, Width: s.MaxWidth, Height: s.MaxHeight, FPS: s.FPS, Codec: s.Codec,
		Bitrate: formatBitrate(s.Bitrate), Renditions: protocol.FormatRenditions(config.OfferedRenditions(c.Renditions)), Enabled: s.Enabled,
		Push:   PushInfo{Enabled: c.Push.Enabled, Relay: protocol.Redact(c.Push.Relay), Stream: c.Push.Stream, State: pushState},
		Record: c.Record, RecordError: rec.Err, Viewers: viewers, Links: links}
}
