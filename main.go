// Command framecast shows live machine-vision video to other people: it
// captures with OpenCV, encodes JPEG once and streams it to many browsers.
//
// Usage:
//
//	framecast                 the desktop app (a window with preview and controls)
//	framecast serve [flags]   headless server (no display needed)
//	framecast relay [flags]   relay that producers push to, for viewers beyond the LAN
//	framecast bench [flags]   measure latency and fps with many viewers
//	framecast version         the version and commit
//	framecast help            the commands and their common flags
package main

import (
	"embed"
	"fmt"
	"io"
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

// version is Framecast's version; the Makefile sets it with
// -ldflags "-X main.version=… -X main.commit=…"; without a commit,
// the build info's is shown.
var version, commit = "dev", ""

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
	if len(args) > 0 {
		switch {
		case cli.IsHelp(args[0]):
			usage(os.Stdout)
			return
		case cli.IsVersion(args[0]):
			fmt.Println(cli.Version("framecast", version, commit))
			return
		case args[0] != "" && args[0][0] != '-':
			cmd, args = args[0], args[1:]
		}
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
	default:
		fmt.Fprintf(os.Stderr, "framecast: unknown command %q\n", cmd)
		usage(os.Stderr)
		os.Exit(2)
	}
	cli.Exit("framecast", err)
}

// usage is what `framecast --help` prints: the commands and the flags most
// runs need; each command's -h lists all of its own.
func usage(w io.Writer) {
	_, _ = fmt.Fprint(w, `Framecast shows live machine-vision video to other people.

Usage:
  framecast [--log-level LEVEL]  open the desktop app
  framecast serve [flags]        serve the stream headless (no display needed)
  framecast relay [flags]        relay streams that producers push, for viewers beyond the LAN
  framecast bench [flags]        measure latency and fps with many viewers
  framecast version              print the version and the commit it was built from
  framecast help                 print this help

Common flags (framecast COMMAND -h lists all of a command's flags):
  --source SPEC          serve, bench: test, camera:N, a video file, or an rtsp:// or http(s):// URL
  --addr HOST:PORT       serve, relay: listen address (default :8188)
  --token TOKEN          serve: the viewers' token, 16 to 256 characters (default: a new random one)
  --publish-token TOKEN  relay: the token producers give; serve --push: the relay's token
  --push URL             serve: also push the stream to a relay, ws(s)://relay:8188/ingest/<stream>
  --tls auto|acme        serve, relay: HTTPS with a self-signed or a Let's Encrypt certificate
  --log-level LEVEL      every command: debug, info, warn or error (default info)

Examples:
  framecast serve --source test
  framecast relay --publish-token "$(openssl rand -base64 24)"
`)
}
