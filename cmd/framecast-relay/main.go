// Command framecast-relay is `framecast relay` on its own: the same flags,
// built with CGO_ENABLED=0 into one static binary with no OpenCV and no
// WebKit, for a public server. `make relay` builds it.
package main

import (
	"os"

	"framecast/frontend"
	"framecast/internal/cli"
	"framecast/internal/relaycli"
)

func main() {
	cli.Exit("framecast-relay", relaycli.Run("framecast-relay", os.Args[1:], frontend.Dist()))
}
