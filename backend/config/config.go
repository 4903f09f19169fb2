// Package config keeps the desktop app's settings in the user's config
// directory. A missing or corrupt file falls back to defaults with a warning;
// a corrupt file is kept aside, never silently overwritten. An older app's
// file of one camera becomes a list of one camera. It also reads and saves
// serve's YAML config file of several streams (file*.go), which is refused
// with the line of every mistake instead. Both say where streams are
// recorded and for how long (Recording, record.go).
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

// Settings is everything the desktop app remembers between runs: the
// server's port and HTTPS, where recordings go, and its cameras in the
// order the window lists them. The first camera is also served at the
// single-stream paths (/ and /ws), as the one camera of an older app was.
type Settings struct {
	Port    int       `json:"port"`
	TLS     bool      `json:"tls"` // HTTPS for viewers, self-signed
	Record  Recording `json:"record"`
	Cameras []Camera  `json:"cameras"`
}

// MaxCameras bounds the cameras the app keeps, as site.MaxStreams bounds
// the streams it runs.
const MaxCameras = 64

// DefaultCamera names the camera of a first start, and the one an older
// single-camera settings file becomes.
const DefaultCamera = "camera"

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

// Defaults are used for anything missing or invalid: one camera on the
// default stream settings, with a token made when it starts.
func Defaults() Settings {
	return Settings{Port: 8188, Cameras: []Camera{{Name: DefaultCamera, Stream: engine.DefaultSettings()}}}
}

// Validate returns every problem, in words a person can act on.
func (s Settings) Validate() error {
	var errs []error
	if s.Port < 1 || s.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d: must be from 1 to 65535", s.Port))
	}
	if err := s.Record.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("recording: %w", err))
	}
	switch n := len(s.Cameras); {
	case n == 0:
		errs = append(errs, errors.New("cameras: keep at least one"))
	case n > MaxCameras:
		errs = append(errs, fmt.Errorf("%d cameras: at most %d", n, MaxCameras))
	}
	seen := map[string]bool{}
	for _, c := range s.Cameras {
		if seen[c.Name] {
			errs = append(errs, fmt.Errorf("camera %s: a second camera of that name", protocol.Quote(c.Name)))
		}
		seen[c.Name] = true
		if err := checkCamera(c); err != nil {
			errs = append(errs, err)
		}
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
	s, old, warnings := parse(b)
	if len(warnings) > 0 {
		if kept, err := st.keepCopy(b); err == nil {
			warnings = append(warnings, "the file as it was is kept in "+kept)
		}
	}
	if old {
		// An older app's file of one camera: written again in this
		// format at once, so the next start reads what this one runs.
		if err := st.Save(s); err != nil {
			warnings = append(warnings, fmt.Sprintf("the settings of one camera could not be written as a list of cameras (%v)", err))
		}
	}
	return s, warnings
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
