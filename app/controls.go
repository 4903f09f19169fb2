package app

import (
	"fmt"
	"strings"

	"framecast/backend/engine"
)

// Resolutions are the size presets the window offers, as max width×height.
var resolutions = map[string][2]int{
	"480p":   {854, 480},
	"720p":   {1280, 720},
	"1080p":  {1920, 1080},
	"source": {0, 0},
}

// SetEnabled switches the camera on or off. Off releases the source.
func (a *App) SetEnabled(on bool) (engine.Settings, error) {
	return a.cur().Update(func(s *engine.Settings) { s.Enabled = on })
}

// SetSource switches to another source: "test", "camera:N", a file path or a
// URL. If it will not open, the error says why and the old one keeps going.
func (a *App) SetSource(spec string) (engine.Settings, error) {
	// The engine reads the spec, once, and refuses a bad one with the reason.
	return a.cur().Update(func(s *engine.Settings) { s.Source = strings.TrimSpace(spec); s.Enabled = true })
}

// PickFile shows the native file dialog and switches to the chosen video or
// picture. Cancelling changes nothing.
func (a *App) PickFile() (engine.Settings, error) {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt == nil {
		return a.cur().Settings(), fmt.Errorf("no window to show a file dialog in")
	}
	path, err := rt.OpenFile("Choose a video file")
	if err != nil {
		return a.cur().Settings(), fmt.Errorf("file dialog: %w", err)
	}
	if path == "" {
		return a.cur().Settings(), nil
	}
	return a.SetSource(path)
}

// SetQuality sets the JPEG quality, 1–100.
func (a *App) SetQuality(q int) (engine.Settings, error) {
	return a.cur().Update(func(s *engine.Settings) { s.Quality = q })
}

// SetResolution picks a size preset: 480p, 720p, 1080p or source.
func (a *App) SetResolution(preset string) (engine.Settings, error) {
	size, ok := resolutions[preset]
	if !ok {
		return a.cur().Settings(), fmt.Errorf("resolution %q: choose 480p, 720p, 1080p or source", preset)
	}
	return a.cur().Update(func(s *engine.Settings) { s.MaxWidth, s.MaxHeight = size[0], size[1] })
}

// SetFPS sets the frame rate cap.
func (a *App) SetFPS(fps int) (engine.Settings, error) {
	return a.cur().Update(func(s *engine.Settings) { s.FPS = fps })
}

// SetCodec chooses what the share links' viewers get: "auto" (H.264 to
// browsers that decode it, JPEG to the rest) or "jpeg" (JPEG only, no
// H.264 encoded). Viewers watching are moved to JPEG and back without
// being dropped; the window's preview is JPEG either way.
func (a *App) SetCodec(codec string) (engine.Settings, error) {
	return a.cur().Update(func(s *engine.Settings) { s.Codec = codec })
}

// SetBitrate sets the H.264 bitrate of the stream's own size in bits a
// second (smaller renditions get their share by pixel count); 0 is auto.
func (a *App) SetBitrate(bps int) (engine.Settings, error) {
	return a.cur().Update(func(s *engine.Settings) { s.Bitrate = bps })
}

// Devices lists the cameras found on this machine, for the source picker.
// An empty list is not an error; the window says no camera was found.
func (a *App) Devices() ([]Device, error) { return a.find() }
