package app

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

// ErrNoDisplay is returned when there is no display to open a window on.
var ErrNoDisplay = errors.New("no display to open the Framecast window on (DISPLAY and WAYLAND_DISPLAY are unset); run `framecast serve` to stream without a window")

// HasDisplay reports whether a window can be opened. Checked before Wails
// starts GTK, which would abort the process without one.
func HasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// Run opens the window and blocks until it is closed, or ctx ends (a
// signal), then stops the stream and the server. ui is the built frontend
// (index.html is the desktop UI); icon is the window icon PNG.
func Run(ctx context.Context, a *App, ui fs.FS, icon []byte) error {
	defer a.close()
	if !HasDisplay() {
		return ErrNoDisplay
	}
	if ctx.Err() != nil {
		return nil // a signal came before the window: close what runs
	}
	page, err := withPreviewAddress(ui, a.previewAddress)
	if err != nil {
		return err
	}
	w, h, minW, minH := windowSize(workArea())
	ended := make(chan struct{}) // closed when the window is gone
	defer close(ended)
	defer a.windowGone()
	var watch sync.Once // starts the goroutine that quits on ctx's end
	return wails.Run(&options.App{
		Title:            "Framecast",
		Width:            w,
		Height:           h,
		MinWidth:         minW,
		MinHeight:        minH,
		BackgroundColour: &options.RGBA{R: 17, G: 19, B: 24, A: 255},
		AssetServer:      &assetserver.Options{Assets: ui, Middleware: page},
		OnStartup:        func(wctx context.Context) { a.startup(wailsRuntime{ctx: wctx}) },
		// Once the page is up, GTK's main loop runs and can be told to
		// quit: a signal that came earlier is acted on now.
		OnDomReady: func(context.Context) {
			watch.Do(func() {
				go func() {
					<-ctx.Done()
					select {
					case <-ended: // the window closed first: nothing to quit
					default:
						a.quit() // as the Quit menu does: the window closes, Run returns
					}
				}()
			}) // once: the page may load again
		},
		Menu: a.appMenu(),
		Bind: []any{a},
		Linux: &linux.Options{Icon: icon, ProgramName: "framecast",
			// WebKit composites with OpenGL by default; without a GPU (llvmpipe)
			// and with a cold shader cache that kept the first picture off the
			// screen for seconds (docs/PERFORMANCE.md). The page is a canvas
			// and a few controls: drawing it without compositing is as smooth.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
}
