package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/station"
)

// Camera is one running camera as the window's list shows it.
type Camera struct {
	Name     string  `json:"name"`
	Source   string  `json:"source"`
	State    string  `json:"state"` // the engine's: live, idle, off, error…
	FPS      float64 `json:"fps"`   // frames sent a second
	Viewers  int     `json:"viewers"`
	Selected bool    `json:"selected"` // the one the controls act on
	// PreviewBase and Token are where the window's tile of this camera
	// connects: plain HTTP on loopback, as the preview does.
	PreviewBase string `json:"previewBase"`
	Token       string `json:"token"`
	// Record says the camera is set to be recorded (SetRecord);
	// RecordError why it is not recording now (a full disk), if so.
	Record      bool   `json:"record"`
	RecordError string `json:"recordError,omitempty"`
}

// ErrLastCamera refuses removing the only camera: the window always has
// one to act on.
var ErrLastCamera = errors.New("the last camera cannot be removed: add another first")

// Cameras lists the running cameras in order, the selected one marked.
func (a *App) Cameras() ([]Camera, error) { return a.cameras(time.Now()), nil }

func (a *App) cameras(now time.Time) []Camera {
	sel := a.cur()
	list := a.site.Stations()
	out := make([]Camera, 0, len(list))
	for _, st := range list {
		stats := st.Stats()
		remote := 0
		for _, v := range st.Viewers(now) {
			if v.Kind != "preview" {
				remote++
			}
		}
		base, token := a.previewOf(st)
		out = append(out, Camera{Name: st.Name(), Source: stats.Source, State: stats.State, FPS: stats.OutputFPS,
			Viewers: remote, Selected: st == sel, PreviewBase: base, Token: token, Record: st.Saved().Record, RecordError: st.Recording().Err})
	}
	return out
}

// SelectCamera makes the camera called name the one the controls act on,
// and returns its links; the window then reads its settings.
func (a *App) SelectCamera(name string) (Share, error) {
	if a.site.Station(name) == nil {
		sh, _ := a.Share()
		return sh, fmt.Errorf("camera %s: there is none of that name", protocol.Quote(name))
	}
	a.mu.Lock()
	a.selected = name
	a.mu.Unlock()
	return a.listChanged()
}

// AddCamera starts a new camera at the end of the list on source ("": the
// test pattern), with the other cameras' link, and selects it. A name
// that is taken or cannot name a stream is refused. A source that will not
// open is replaced by the test pattern, as at start-up, and kept for next
// time: the window is told why.
func (a *App) AddCamera(name, source string) (Share, error) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	name, source = strings.TrimSpace(name), strings.TrimSpace(source)
	if source == "" {
		source = "test"
	}
	cam := config.Camera{Name: name, Stream: engine.DefaultSettings(), Token: a.site.Stations()[0].Handler().Token()}
	cam.Stream.Source = source
	if err := cam.Stream.Validate(); err != nil {
		sh, _ := a.Share()
		return sh, err
	}
	st, err := a.site.Add(cam)
	if err != nil {
		sh, _ := a.Share()
		return sh, err
	}
	for _, n := range st.Notices() {
		a.emit(EventNotice, n)
	}
	return a.SelectCamera(st.Name())
}

// RenameCamera gives the camera called from the name to: its links change,
// and viewers on the old ones are told it moved.
func (a *App) RenameCamera(from, to string) ([]Camera, error) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	to = strings.TrimSpace(to)
	if err := a.site.Rename(from, to); err != nil {
		return a.cameras(time.Now()), err
	}
	a.mu.Lock()
	if a.selected == from {
		a.selected = to
	}
	a.mu.Unlock()
	_, _ = a.listChanged()
	return a.cameras(time.Now()), nil
}

// RemoveCamera stops the camera called name; its viewers are told it was
// removed, and the others' are not touched. The last camera stays.
func (a *App) RemoveCamera(name string) ([]Camera, error) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	if a.site.Station(name) != nil && len(a.site.Stations()) < 2 {
		return a.cameras(time.Now()), ErrLastCamera
	}
	if err := a.site.Remove(name); err != nil {
		return a.cameras(time.Now()), err
	}
	_, _ = a.listChanged() // the selection falls to the first (cur)
	return a.cameras(time.Now()), nil
}

// MoveCamera puts the camera called name at index (0: first) of the list.
// The first camera is also the one at the links of a single camera (/?token=).
func (a *App) MoveCamera(name string, index int) ([]Camera, error) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	list := a.site.Stations()
	i := slices.IndexFunc(list, func(st *station.Station) bool { return st.Name() == name })
	if i < 0 {
		return a.cameras(time.Now()), fmt.Errorf("camera %s: there is none of that name", protocol.Quote(name))
	}
	if index < 0 || index >= len(list) {
		return a.cameras(time.Now()), fmt.Errorf("position %d: from 0 to %d", index, len(list)-1)
	}
	names := make([]string, 0, len(list))
	for _, st := range list {
		names = append(names, st.Name())
	}
	names = slices.Insert(slices.Delete(names, i, i+1), index, name)
	if err := a.site.Reorder(names); err != nil {
		return a.cameras(time.Now()), err
	}
	_, _ = a.listChanged()
	return a.cameras(time.Now()), nil
}

// listChanged tells the window the list or the selection changed, and the
// links with it (the first camera's link depends on how many there are).
func (a *App) listChanged() (Share, error) {
	a.emit(EventCameras, a.cameras(time.Now()))
	return a.changed()
}
