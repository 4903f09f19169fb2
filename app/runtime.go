package app

import (
	"context"
	"strconv"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Runtime is the part of the Wails runtime the app uses. Tests fake it: the
// real runtime calls log.Fatal when given a context Wails did not make.
type Runtime interface {
	Emit(event string, data any)
	OpenFile(title string) (string, error)
	CopyText(text string) error
	// Quit closes the window and ends Run, as closing the window does.
	Quit()
	// Edit runs an editing command (cut, copy, paste, selectAll) on what
	// has the focus in the window.
	Edit(command string)
	// Raise shows the window, un-minimised, in front and focused.
	Raise()
}

// wailsRuntime is the real Runtime, bound to the context Wails gave Startup.
type wailsRuntime struct{ ctx context.Context }

func (w wailsRuntime) Emit(event string, data any) { runtime.EventsEmit(w.ctx, event, data) }

func (w wailsRuntime) OpenFile(title string) (string, error) {
	return runtime.OpenFileDialog(w.ctx, runtime.OpenDialogOptions{
		Title: title,
		Filters: []runtime.FileFilter{
			{DisplayName: "Videos and images", Pattern: "*.mp4;*.avi;*.mkv;*.mov;*.webm;*.mjpg;*.mjpeg;*.jpg;*.jpeg;*.png"},
			{DisplayName: "All files", Pattern: "*"},
		},
	})
}

func (w wailsRuntime) CopyText(text string) error { return runtime.ClipboardSetText(w.ctx, text) }

func (w wailsRuntime) Quit() { runtime.Quit(w.ctx) }

// Raise: Show unhides the app (macOS), WindowShow a hidden window, and
// WindowUnminimise presents it: un-minimised, raised and focused.
func (w wailsRuntime) Raise() {
	runtime.Show(w.ctx)
	runtime.WindowShow(w.ctx)
	runtime.WindowUnminimise(w.ctx)
}

func (w wailsRuntime) Edit(command string) {
	runtime.WindowExecJS(w.ctx, "document.execCommand("+strconv.Quote(command)+")")
}
