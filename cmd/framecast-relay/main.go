// Command framecast-relay is `framecast relay` on its own: the same flags,
// built with CGO_ENABLED=0 into one static binary with no OpenCV and no
// WebKit, for a public server. `make relay` builds it.
package main

import (
	"fmt"
	"os"

	"framecast/frontend"
	"framecast/internal/cli"
	"framecast/internal/relaycli"
)

// version is the relay's version; `make relay` sets it with
// -ldflags "-X main.version=… -X main.commit=…"; without a commit,
// the build info's is shown.
var version, commit = "dev", ""

func main() {
	if len(os.Args) > 1 && cli.IsVersion(os.Args[1]) {
		fmt.Println(cli.Version("framecast-relay", version, commit))
		return
	}
	cli.Exit("framecast-relay", relaycli.Run("framecast-relay", os.Args[1:], frontend.Dist()))
}
