// Command framecast shows live machine-vision video to other people: it
// captures with OpenCV, encodes JPEG once and streams it to many browsers.
//
// Usage:
//
//	framecast                 the desktop app (a window with preview and controls)
//	framecast serve [flags]   headless server (no display needed)
//	framecast relay [flags]   relay that producers push to, for viewers beyond the LAN
//	framecast bench [flags]   measure latency and fps with many viewers
package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"

	"framecast/backend/source"
	"framecast/internal/cli"
	"framecast/internal/relaycli"
)

// frontend is the built UI: the desktop UI (index.html), the viewer page
// (viewer.html) and their assets.
//
//go:embed all:frontend/dist
var frontend embed.FS

// icon is the window icon.
//
//go:embed build/appicon.png
var icon []byte

func main() {
	assets, err := fs.Sub(frontend, "frontend/dist")
	if err != nil {
		fmt.Fprintln(os.Stderr, "framecast:", err)
		os.Exit(1)
	}
	// Once, before any source opens: network sources that go silent fail
	// after source.StallTimeout instead of OpenCV's 30 s.
	if err := source.SetFFmpegStallTimeout(); err != nil {
		fmt.Fprintln(os.Stderr, "framecast:", err)
		os.Exit(1)
	}
	cmd, args := "desktop", os.Args[1:]
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "desktop":
		err = runDesktop(args, assets)
	case "serve":
		err = runServe(args, assets)
	case "relay":
		err = relaycli.Run("framecast relay", args, assets)
	case "bench":
		err = runBench(args)
	case "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "framecast: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	cli.Exit("framecast", err)
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage:
  framecast                 open the desktop app
  framecast serve [flags]   serve the stream headless; -h lists the flags
  framecast relay [flags]   relay streams that producers push, for viewers beyond the LAN
  framecast bench [flags]   benchmark latency and fps with many viewers
`)
}
