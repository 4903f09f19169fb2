package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TraversalPaths are ways of writing a path out of /assets/ to the viewer
// page, which needs the token. ViewerTitle is in the test viewer page.
var traversalPaths = []string{
	"/assets/../viewer.html",
	"/assets/%2e%2e/viewer.html",
	"/assets/%2E%2E/viewer.html",
	"/assets/.%2e/viewer.html",
	"/assets/..%2fviewer.html",
	"/assets/..%2Fviewer.html",
	"/assets/%2e%2e%2fviewer.html",
	"/assets//../viewer.html",
	"/assets//%2e%2e/viewer.html",
	"/assets/%2f..%2fviewer.html",
	"/assets/./%2e%2e/viewer.html",
	"/assets/x/%2e%2e/%2e%2e/viewer.html",
	`/assets/..\viewer.html`,
	"/assets/..%5cviewer.html",
	"/assets/..%5Cviewer.html",
}

const viewerTitle = "<title>viewer</title>"

func TestOnlyFilesUnderAssetsAreServedWithoutAToken(t *testing.T) {
	s := startStream(t, smallSettings())
	for _, p := range traversalPaths {
		t.Run(p+" does not serve the viewer page", func(t *testing.T) {
			resp := get(t, s.base+p, nil)
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode == http.StatusOK || strings.Contains(string(body), viewerTitle) {
				t.Fatalf("status %d, body %.80q", resp.StatusCode, body)
			}
		})
	}
	t.Run("a file under assets/ is served without a token", func(t *testing.T) {
		resp := get(t, s.base+"/assets/viewer.js", nil)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != "console.log(1)" {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
	})
}
