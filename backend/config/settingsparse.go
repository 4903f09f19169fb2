package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// checkCamera returns every problem of one camera's saved settings, each
// naming the camera.
func checkCamera(c Camera) error {
	var errs []error
	if !protocol.ValidStreamName(c.Name) {
		errs = append(errs, fmt.Errorf("camera name %s: %s", protocol.Quote(c.Name), protocol.StreamNameRule))
	}
	if err := c.Stream.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Token != "" {
		if err := protocol.CheckToken(c.Token); err != nil {
			errs = append(errs, fmt.Errorf("token: %w", err))
		}
	}
	if c.PublishToken != "" {
		if err := protocol.CheckToken(c.PublishToken); err != nil {
			errs = append(errs, fmt.Errorf("publish token: %w", err))
		}
	}
	if err := c.Push.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("camera %s: %w", protocol.Quote(c.Name), err)
	}
	return nil
}

// rawCamera is one camera as the file has it, each field left to be read
// alone. An older app's file is one of these at its top level.
type rawCamera struct {
	Name   json.RawMessage            `json:"name"`
	Stream map[string]json.RawMessage `json:"stream"`
	Token  json.RawMessage            `json:"token"`
	// PublishToken is the ingest source's (Camera.PublishToken).
	PublishToken json.RawMessage `json:"publishToken"`
	Push         json.RawMessage `json:"push"`
	Record       json.RawMessage `json:"record"`
}

// parse reads settings from b, field by field: a bad field gets its default
// and a warning, and the good ones are kept. old reports a file of an older
// app, one camera's settings at its top level ({stream, port, token, tls,
// push}): that camera, its token kept so its links keep working, is the
// list's only one.
func parse(b []byte) (s Settings, old bool, warnings []string) {
	def := Defaults()
	var raw struct {
		Port    json.RawMessage `json:"port"`
		TLS     json.RawMessage `json:"tls"`
		Record  json.RawMessage `json:"record"`
		Cameras json.RawMessage `json:"cameras"`
	}
	var single rawCamera // an older app's file
	if err := errors.Join(json.Unmarshal(b, &raw), json.Unmarshal(b, &single)); err != nil {
		return def, false, []string{fmt.Sprintf("settings file is not valid JSON (%v); using defaults", err)}
	}
	s = def
	field := func(name string, msg json.RawMessage, dst any, reset func()) {
		if msg == nil {
			return
		}
		if err := json.Unmarshal(msg, dst); err != nil {
			reset()
			warnings = append(warnings, fmt.Sprintf("setting %s is invalid (%v); using the default", name, err))
		}
	}
	field("port", raw.Port, &s.Port, func() { s.Port = def.Port })
	field("tls", raw.TLS, &s.TLS, func() { s.TLS = def.TLS })
	check := func(name string, bad bool, reset func()) {
		if bad {
			reset()
			warnings = append(warnings, fmt.Sprintf("setting %s is out of range; using the default", name))
		}
	}
	check("port", s.Port < 1 || s.Port > 65535, func() { s.Port = def.Port })
	// A recording not as it was written is off, rather than kept with no
	// limit that could fill the disk.
	field("record", raw.Record, &s.Record, func() { s.Record = def.Record })
	if err := s.Record.Validate(); err != nil {
		s.Record = def.Record
		warnings = append(warnings, fmt.Sprintf("setting record is out of range (%v); recording is off", err))
	}

	if raw.Cameras == nil {
		old = true
		single.Name = nil   // it had none: the camera of one is DefaultCamera
		single.Record = nil // it had none: a top-level record is Settings.Record
		c, w := parseCamera("", single, DefaultCamera)
		s.Cameras, warnings = []Camera{c}, append(warnings, w...)
		return s, old, warnings
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw.Cameras, &list); err != nil {
		warnings = append(warnings, fmt.Sprintf("setting cameras is invalid (%v); using one camera on the test pattern", err))
		return s, false, warnings
	}
	if len(list) > MaxCameras {
		warnings = append(warnings, fmt.Sprintf("setting cameras lists %d cameras; keeping the first %d", len(list), MaxCameras))
		list = list[:MaxCameras]
	}
	s.Cameras = nil
	taken := map[string]bool{}
	for i, msg := range list {
		prefix := "cameras[" + strconv.Itoa(i) + "]."
		var rc rawCamera
		if err := json.Unmarshal(msg, &rc); err != nil {
			warnings = append(warnings, fmt.Sprintf("setting cameras[%d] is invalid (%v); left out", i, err))
			continue
		}
		c, w := parseCamera(prefix, rc, freeName(taken, DefaultCamera))
		warnings = append(warnings, w...)
		if taken[c.Name] {
			c.Name = freeName(taken, c.Name)
			warnings = append(warnings, fmt.Sprintf("setting %sname names a second camera of that name; calling it %s", prefix, c.Name))
		}
		taken[c.Name] = true
		s.Cameras = append(s.Cameras, c)
	}
	if len(s.Cameras) == 0 {
		if len(list) > 0 {
			warnings = append(warnings, "no camera could be read; using one camera on the test pattern")
		}
		s.Cameras = def.Cameras
	}
	return s, false, warnings
}

// freeName is name, or name-2, name-3… the first of them not taken.
func freeName(taken map[string]bool, name string) string {
	base := name[:min(len(name), 60)] // room for the number within 64
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// parseCamera reads one camera field by field, as parse does; prefix names
// its fields in warnings, and name is its name when it has no good one.
func parseCamera(prefix string, raw rawCamera, name string) (Camera, []string) {
	def := engine.DefaultSettings()
	c := Camera{Name: name, Stream: def}
	var warnings []string
	field := func(key string, msg json.RawMessage, dst any, reset func()) {
		if msg == nil {
			return
		}
		if err := json.Unmarshal(msg, dst); err != nil {
			reset()
			warnings = append(warnings, fmt.Sprintf("setting %s%s is invalid (%v); using the default", prefix, key, err))
		}
	}
	field("name", raw.Name, &c.Name, func() { c.Name = name })
	field("stream.source", raw.Stream["source"], &c.Stream.Source, func() { c.Stream.Source = def.Source })
	field("stream.quality", raw.Stream["quality"], &c.Stream.Quality, func() { c.Stream.Quality = def.Quality })
	field("stream.maxWidth", raw.Stream["maxWidth"], &c.Stream.MaxWidth, func() { c.Stream.MaxWidth = def.MaxWidth })
	field("stream.maxHeight", raw.Stream["maxHeight"], &c.Stream.MaxHeight, func() { c.Stream.MaxHeight = def.MaxHeight })
	field("stream.fps", raw.Stream["fps"], &c.Stream.FPS, func() { c.Stream.FPS = def.FPS })
	field("stream.enabled", raw.Stream["enabled"], &c.Stream.Enabled, func() { c.Stream.Enabled = def.Enabled })
	field("stream.process", raw.Stream["process"], &c.Stream.Process, func() { c.Stream.Process = def.Process })
	field("stream.codec", raw.Stream["codec"], &c.Stream.Codec, func() { c.Stream.Codec = def.Codec })
	field("stream.bitrate", raw.Stream["bitrate"], &c.Stream.Bitrate, func() { c.Stream.Bitrate = def.Bitrate })
	field("token", raw.Token, &c.Token, func() { c.Token = "" })
	field("publishToken", raw.PublishToken, &c.PublishToken, func() { c.PublishToken = "" })
	field("push", raw.Push, &c.Push, func() { c.Push = Push{} })
	field("record", raw.Record, &c.Record, func() { c.Record = false })
	// Values of the right type may still be out of range: check each alone.
	return c, append(warnings, fixRanges(prefix, &c, name)...)
}

// fixRanges resets each out-of-range value of c to its default; name is
// its name when its own is not one.
func fixRanges(prefix string, c *Camera, name string) []string {
	def := engine.DefaultSettings()
	var warnings []string
	check := func(key string, bad bool, reset func()) {
		if bad {
			reset()
			warnings = append(warnings, fmt.Sprintf("setting %s%s is out of range; using the default", prefix, key))
		}
	}
	probe := func(mod func(*engine.Settings)) bool {
		p := def
		mod(&p)
		return p.Validate() != nil
	}
	s := &c.Stream
	check("name", !protocol.ValidStreamName(c.Name), func() { c.Name = name })
	check("stream.source", probe(func(p *engine.Settings) { p.Source = s.Source }), func() { s.Source = def.Source })
	check("stream.quality", probe(func(p *engine.Settings) { p.Quality = s.Quality }), func() { s.Quality = def.Quality })
	check("stream.maxWidth/maxHeight", probe(func(p *engine.Settings) { p.MaxWidth, p.MaxHeight = s.MaxWidth, s.MaxHeight }),
		func() { s.MaxWidth, s.MaxHeight = def.MaxWidth, def.MaxHeight })
	check("stream.fps", probe(func(p *engine.Settings) { p.FPS = s.FPS }), func() { s.FPS = def.FPS })
	check("stream.process", probe(func(p *engine.Settings) { p.Process = s.Process }), func() { s.Process = def.Process })
	check("stream.codec", probe(func(p *engine.Settings) { p.Codec = s.Codec }), func() { s.Codec = def.Codec })
	check("stream.bitrate", probe(func(p *engine.Settings) { p.Bitrate = s.Bitrate }), func() { s.Bitrate = def.Bitrate })
	check("token", c.Token != "" && protocol.CheckToken(c.Token) != nil, func() { c.Token = "" })
	// A new one is made when the source is ingest (station.New).
	check("publishToken", c.PublishToken != "" && protocol.CheckToken(c.PublishToken) != nil, func() { c.PublishToken = "" })
	check("push", len(c.Push.PublishToken) > protocol.MaxTokenLen || len(c.Push.Relay) > maxRelayURL || len(c.Push.Stream) > 64,
		func() { c.Push = Push{} })
	check("push", c.Push.Validate() != nil, func() { c.Push.Enabled = false })
	return warnings
}
