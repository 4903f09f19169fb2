package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"framecast/backend/engine"
	"framecast/backend/source"
)

// Resolutions are the size presets the window offers, as max width×height.
var resolutions = map[string][2]int{
	"480p":   {854, 480},
	"720p":   {1280, 720},
	"1080p":  {1920, 1080},
	"source": {0, 0},
}

// update applies a change to the stream settings. The engine refuses bad
// ones with a reason, and then nothing changes: not the stream, not the file.
// Only the changed setting is written to the file: after a fallback (a saved
// camera that was missing at start), changing the quality must not replace
// the saved camera with the test pattern.
func (a *App) update(change func(*engine.Settings)) (engine.Settings, error) {
	s := a.eng.Settings()
	change(&s)
	if err := a.eng.Update(s); err != nil {
		return a.eng.Settings(), err
	}
	a.mu.Lock()
	change(&a.settings.Stream)
	a.saveLocked()
	a.mu.Unlock()
	return s, nil
}

// SetEnabled switches the camera on or off. Off releases the source.
func (a *App) SetEnabled(on bool) (engine.Settings, error) {
	return a.update(func(s *engine.Settings) { s.Enabled = on })
}

// SetSource switches to another source: "test", "camera:N", a file path or a
// URL. If it will not open, the error says why and the old one keeps going.
func (a *App) SetSource(spec string) (engine.Settings, error) {
	if _, err := source.ParseSpec(spec); err != nil {
		return a.eng.Settings(), err
	}
	return a.update(func(s *engine.Settings) { s.Source = strings.TrimSpace(spec); s.Enabled = true })
}

// PickFile shows the native file dialog and switches to the chosen video or
// picture. Cancelling changes nothing.
func (a *App) PickFile() (engine.Settings, error) {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt == nil {
		return a.eng.Settings(), fmt.Errorf("no window to show a file dialog in")
	}
	path, err := rt.OpenFile("Choose a video file")
	if err != nil {
		return a.eng.Settings(), fmt.Errorf("file dialog: %w", err)
	}
	if path == "" {
		return a.eng.Settings(), nil
	}
	return a.SetSource(path)
}

// SetQuality sets the JPEG quality, 1–100.
func (a *App) SetQuality(q int) (engine.Settings, error) {
	return a.update(func(s *engine.Settings) { s.Quality = q })
}

// SetResolution picks a size preset: 480p, 720p, 1080p or source.
func (a *App) SetResolution(preset string) (engine.Settings, error) {
	size, ok := resolutions[preset]
	if !ok {
		return a.eng.Settings(), fmt.Errorf("resolution %q: choose 480p, 720p, 1080p or source", preset)
	}
	return a.update(func(s *engine.Settings) { s.MaxWidth, s.MaxHeight = size[0], size[1] })
}

// SetFPS sets the frame rate cap.
func (a *App) SetFPS(fps int) (engine.Settings, error) {
	return a.update(func(s *engine.Settings) { s.FPS = fps })
}

// Camera is a camera the source picker offers.
type Camera struct {
	Spec string `json:"spec"` // "camera:N"
	Name string `json:"name"`
}

// Cameras lists the cameras found on this machine: /dev/video* on Linux.
// An empty list is not an error; the window says no camera was found.
func (a *App) Cameras() ([]Camera, error) {
	if runtime.GOOS != "linux" {
		return []Camera{{Spec: "camera:0", Name: "Camera 0"}, {Spec: "camera:1", Name: "Camera 1"}}, nil
	}
	return linuxCameras("/dev", "/sys/class/video4linux")
}

func linuxCameras(devDir, sysDir string) ([]Camera, error) {
	paths, err := filepath.Glob(filepath.Join(devDir, "video*"))
	if err != nil {
		return nil, err
	}
	cams := []Camera{}
	for _, p := range paths {
		base := filepath.Base(p)
		n, err := strconv.Atoi(strings.TrimPrefix(base, "video"))
		if err != nil {
			continue
		}
		name := "Camera " + strconv.Itoa(n)
		if b, err := os.ReadFile(filepath.Join(sysDir, base, "name")); err == nil {
			name = strings.TrimSpace(string(b)) + " (" + base + ")"
		}
		cams = append(cams, Camera{Spec: "camera:" + strconv.Itoa(n), Name: name})
	}
	sort.Slice(cams, func(i, j int) bool { return cams[i].Spec < cams[j].Spec })
	return cams, nil
}
