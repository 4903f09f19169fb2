// Package config keeps the desktop app's settings in the user's config
// directory. A missing or corrupt file falls back to defaults with a warning;
// a corrupt file is kept aside, never silently overwritten. It also reads
// and saves serve's YAML config file of several streams (file*.go), which
// is refused with the line of every mistake instead.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// FileName is the settings file inside the app's config directory.
const FileName = "settings.json"

// Settings is everything the app remembers between runs.
type Settings struct {
	Stream engine.Settings `json:"stream"`
	Port   int             `json:"port"`
	Token  string          `json:"token"`
	TLS    bool            `json:"tls"` // HTTPS for viewers, self-signed
	Push   Push            `json:"push"`
}

// maxRelayURL bounds the relay address a person types.
const maxRelayURL = 2048

// Push is where the app pushes its stream for viewers beyond the LAN.
type Push struct {
	Enabled      bool   `json:"enabled"`
	Relay        string `json:"relay"`        // e.g. wss://relay.example.com:8188
	Stream       string `json:"stream"`       // the stream's name on the relay
	PublishToken string `json:"publishToken"` // the relay's publish token
}

// Validate checks what can be checked without the relay.
func (p Push) Validate() error {
	if !p.Enabled {
		return nil
	}
	var errs []error
	if p.Relay == "" {
		errs = append(errs, errors.New("relay: give its address, e.g. wss://relay.example.com:8188"))
	}
	if !protocol.ValidStreamName(p.Stream) {
		errs = append(errs, fmt.Errorf("stream name %q: use 1-64 letters, digits, '_', '-' or '.'", p.Stream))
	}
	if p.PublishToken == "" {
		errs = append(errs, errors.New("publish token: missing (the relay operator gives it)"))
	} else if err := protocol.CheckToken(p.PublishToken); err != nil {
		errs = append(errs, fmt.Errorf("publish token: %w", err))
	}
	if len(p.Relay) > maxRelayURL {
		errs = append(errs, fmt.Errorf("relay address: too long (at most %d characters)", maxRelayURL))
	}
	return errors.Join(errs...)
}

// Defaults are used for anything missing or invalid.
func Defaults() Settings {
	return Settings{Stream: engine.DefaultSettings(), Port: 8188}
}

// Validate returns every problem, in words a person can act on.
func (s Settings) Validate() error {
	var errs []error
	if err := s.Stream.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Port < 1 || s.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d: must be from 1 to 65535", s.Port))
	}
	if s.Token != "" {
		if err := protocol.CheckToken(s.Token); err != nil {
			errs = append(errs, fmt.Errorf("token: %w", err))
		}
	}
	if err := s.Push.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Store reads and writes one settings file.
type Store struct {
	Path string

	now func() time.Time // the clock naming kept copies; nil is time.Now
}

// Load reads the settings. It always returns usable settings; warnings say
// what was missing, wrong or kept aside, for the person to see.
func (st Store) Load() (Settings, []string) {
	def := Defaults()
	b, err := st.read()
	if errors.Is(err, fs.ErrNotExist) {
		return def, nil
	}
	if errors.Is(err, errTooBig) {
		// Reading it would take that much memory and more: move it aside
		// whole instead of copying it.
		warnings := []string{fmt.Sprintf("settings file %s is over the %d KiB a settings file can be; using defaults", st.Path, MaxFileSize>>10)}
		if kept, err := st.moveAside(); err == nil {
			warnings = append(warnings, "the file as it was is kept in "+kept)
		}
		return def, warnings
	}
	if err != nil {
		return def, []string{fmt.Sprintf("settings file %s could not be read (%v); using defaults", st.Path, err)}
	}
	s, warnings := parse(b)
	if len(warnings) > 0 {
		if kept, err := st.keepCopy(b); err == nil {
			warnings = append(warnings, "the file as it was is kept in "+kept)
		}
	}
	return s, warnings
}

// parse reads settings from b, field by field: a bad field gets its default
// and a warning, and the good ones are kept.
func parse(b []byte) (Settings, []string) {
	def := Defaults()
	var raw struct {
		Stream map[string]json.RawMessage `json:"stream"`
		Port   json.RawMessage            `json:"port"`
		Token  json.RawMessage            `json:"token"`
		Push   json.RawMessage            `json:"push"`
		TLS    json.RawMessage            `json:"tls"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return def, []string{fmt.Sprintf("settings file is not valid JSON (%v); using defaults", err)}
	}
	var warnings []string
	s := def
	field := func(name string, msg json.RawMessage, dst any, reset func()) {
		if msg == nil {
			return
		}
		if err := json.Unmarshal(msg, dst); err != nil {
			reset()
			warnings = append(warnings, fmt.Sprintf("setting %s is invalid (%v); using the default", name, err))
		}
	}
	ds := def.Stream
	field("stream.source", raw.Stream["source"], &s.Stream.Source, func() { s.Stream.Source = ds.Source })
	field("stream.quality", raw.Stream["quality"], &s.Stream.Quality, func() { s.Stream.Quality = ds.Quality })
	field("stream.maxWidth", raw.Stream["maxWidth"], &s.Stream.MaxWidth, func() { s.Stream.MaxWidth = ds.MaxWidth })
	field("stream.maxHeight", raw.Stream["maxHeight"], &s.Stream.MaxHeight, func() { s.Stream.MaxHeight = ds.MaxHeight })
	field("stream.fps", raw.Stream["fps"], &s.Stream.FPS, func() { s.Stream.FPS = ds.FPS })
	field("stream.enabled", raw.Stream["enabled"], &s.Stream.Enabled, func() { s.Stream.Enabled = ds.Enabled })
	field("stream.process", raw.Stream["process"], &s.Stream.Process, func() { s.Stream.Process = ds.Process })
	field("stream.codec", raw.Stream["codec"], &s.Stream.Codec, func() { s.Stream.Codec = ds.Codec })
	field("stream.bitrate", raw.Stream["bitrate"], &s.Stream.Bitrate, func() { s.Stream.Bitrate = ds.Bitrate })
	field("port", raw.Port, &s.Port, func() { s.Port = def.Port })
	field("token", raw.Token, &s.Token, func() { s.Token = def.Token })
	field("push", raw.Push, &s.Push, func() { s.Push = def.Push })
	field("tls", raw.TLS, &s.TLS, func() { s.TLS = def.TLS })
	// Values of the right type may still be out of range: check each alone.
	warnings = append(warnings, fixRanges(&s)...)
	return s, warnings
}

// fixRanges resets each out-of-range value to its default.
func fixRanges(s *Settings) []string {
	def := Defaults()
	var warnings []string
	check := func(name string, bad bool, reset func()) {
		if bad {
			reset()
			warnings = append(warnings, fmt.Sprintf("setting %s is out of range; using the default", name))
		}
	}
	probe := func(mod func(*engine.Settings)) bool {
		p := def.Stream
		mod(&p)
		return p.Validate() != nil
	}
	check("stream.source", probe(func(p *engine.Settings) { p.Source = s.Stream.Source }), func() { s.Stream.Source = def.Stream.Source })
	check("stream.quality", probe(func(p *engine.Settings) { p.Quality = s.Stream.Quality }), func() { s.Stream.Quality = def.Stream.Quality })
	check("stream.maxWidth/maxHeight", probe(func(p *engine.Settings) { p.MaxWidth, p.MaxHeight = s.Stream.MaxWidth, s.Stream.MaxHeight }),
		func() { s.Stream.MaxWidth, s.Stream.MaxHeight = def.Stream.MaxWidth, def.Stream.MaxHeight })
	check("stream.fps", probe(func(p *engine.Settings) { p.FPS = s.Stream.FPS }), func() { s.Stream.FPS = def.Stream.FPS })
	check("stream.process", probe(func(p *engine.Settings) { p.Process = s.Stream.Process }), func() { s.Stream.Process = def.Stream.Process })
	check("stream.codec", probe(func(p *engine.Settings) { p.Codec = s.Stream.Codec }), func() { s.Stream.Codec = def.Stream.Codec })
	check("stream.bitrate", probe(func(p *engine.Settings) { p.Bitrate = s.Stream.Bitrate }), func() { s.Stream.Bitrate = def.Stream.Bitrate })
	check("port", s.Port < 1 || s.Port > 65535, func() { s.Port = def.Port })
	check("token", s.Token != "" && protocol.CheckToken(s.Token) != nil, func() { s.Token = "" })
	check("push", len(s.Push.PublishToken) > protocol.MaxTokenLen || len(s.Push.Relay) > maxRelayURL || len(s.Push.Stream) > 64,
		func() { s.Push = def.Push })
	check("push", s.Push.Validate() != nil, func() { s.Push.Enabled = false })
	return warnings
}

// keepCopy saves the bytes of a file that could not be fully used, so a
// later Save does not destroy what the person had.
func (st Store) keepCopy(b []byte) (string, error) {
	f, kept, err := st.reserveAside()
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(kept)
		return "", fmt.Errorf("keep a copy of the settings: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(kept)
		return "", fmt.Errorf("keep a copy of the settings: %w", err)
	}
	return kept, nil
}

// moveAside renames the settings file to a name of its own, next to it.
func (st Store) moveAside() (string, error) {
	f, kept, err := st.reserveAside()
	if err != nil {
		return "", err
	}
	f.Close()
	// The empty file just made is ours alone: replacing it loses nothing.
	if err := os.Rename(st.Path, kept); err != nil {
		os.Remove(kept)
		return "", fmt.Errorf("move the settings aside: %w", err)
	}
	return kept, nil
}

// maxAsideTries bounds the names tried for a kept copy within one second.
const maxAsideTries = 1000

// reserveAside creates a new, empty file named after the settings file and
// the time, adding -2, -3… when a copy of that second is already kept.
// O_EXCL makes the name ours: a kept copy is never overwritten, even by
// another instance of the app loading at the same moment.
func (st Store) reserveAside() (*os.File, string, error) {
	now := time.Now
	if st.now != nil {
		now = st.now
	}
	base := fmt.Sprintf("%s.bad-%s", st.Path, now().Format("20060102-150405"))
	for i := 1; i <= maxAsideTries; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("keep a copy of the settings: %w", err)
		}
		return f, name, nil
	}
	return nil, "", fmt.Errorf("keep a copy of the settings: %d copies already kept from %s", maxAsideTries, base)
}

// MaxFileSize bounds the settings file and a config file: what the app
// writes is a few KiB, and a config file of MaxStreams streams tens.
const MaxFileSize = 1 << 20

var errTooBig = errors.New("settings file too big")

// read reads the settings file, refusing one over MaxFileSize without
// reading it all.
func (st Store) read() ([]byte, error) { return readLimited(st.Path) }

// readLimited reads the file at path, refusing one over MaxFileSize
// (errTooBig) without reading it all.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, errTooBig
	}
	return b, nil
}

// Save writes the settings atomically: a crash mid-write leaves the old file.
func (st Store) Save(s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(st.Path), 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(st.Path), FileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save settings: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(tmp.Name(), st.Path); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}
