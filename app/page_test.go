package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

const testPage = `<!doctype html><html><head><title>Framecast</title></head><body>ui</body></html>`

// servePage asks the page middleware for method path, with next answering
// "next" for whatever it passes on.
func servePage(t *testing.T, mw func(http.Handler) http.Handler, method, path string) (*http.Response, string) {
	t.Helper()
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "next") })
	rec := httptest.NewRecorder()
	mw(next).ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestThePageCarriesThePreviewAddressWhereverItIsAskedFor(t *testing.T) {
	ui := fstest.MapFS{pageIndex: {Data: []byte(testPage)}}
	token := "first-token-0123456789"
	mw, err := withPreviewAddress(ui, func() (string, string) { return "http://127.0.0.1:8188", token })
	if err != nil {
		t.Fatal(err)
	}
	wantMeta := `<meta name="framecast-preview" content="http://127.0.0.1:8188" data-token="first-token-0123456789"></head>`
	for _, tc := range []struct{ name, path string }{
		{"the root is the page", "/"},
		{"index.html is the page", "/index.html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := servePage(t, mw, http.MethodGet, tc.path)
			if !strings.Contains(body, wantMeta) {
				t.Fatalf("the page has no preview address at the end of its head:\n%s", body)
			}
			if strings.Replace(body, strings.TrimSuffix(wantMeta, "</head>"), "", 1) != testPage {
				t.Fatalf("the page changed beyond the meta element:\n%s", body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("Content-Type %q: Wails adds its runtime only to HTML", ct)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control %q: a kept copy would carry an old address", cc)
			}
		})
	}
	t.Run("the address is read at each request: a new link is in the next page", func(t *testing.T) {
		token = "second-token-0123456789"
		if _, body := servePage(t, mw, http.MethodGet, "/"); !strings.Contains(body, `data-token="second-token-0123456789"`) {
			t.Fatalf("the page still has the old token:\n%s", body)
		}
	})
	t.Run("what is written is escaped", func(t *testing.T) {
		token = `"><script>x</script>`
		if _, body := servePage(t, mw, http.MethodGet, "/"); strings.Contains(body, "<script>") {
			t.Fatalf("the token is written unescaped:\n%s", body)
		}
	})
	for _, tc := range []struct{ name, method, path string }{
		{"the assets go to the asset server", http.MethodGet, "/assets/index.js"},
		{"the viewer page goes to the asset server", http.MethodGet, "/viewer.html"},
		{"other methods go to the asset server", http.MethodPost, "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, body := servePage(t, mw, tc.method, tc.path); body != "next" {
				t.Fatalf("%s %s was answered by the page middleware: %q", tc.method, tc.path, body)
			}
		})
	}
}

func TestAPageThatCannotCarryTheAddressIsAnErrorAtStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		ui   fstest.MapFS
	}{
		{"no index.html", fstest.MapFS{"viewer.html": {Data: []byte(testPage)}}},
		{"no head", fstest.MapFS{pageIndex: {Data: []byte("<p>no head</p>")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := withPreviewAddress(tc.ui, func() (string, string) { return "", "" }); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestThePagesAddressIsTheOneShareGives(t *testing.T) {
	a, _, _ := newApp(t, nil)
	sh, err := a.Share()
	if err != nil {
		t.Fatal(err)
	}
	base, token := a.previewAddress()
	if base != sh.PreviewBase || token != sh.Token {
		t.Fatalf("page address %s %s, Share %s %s", base, token, sh.PreviewBase, sh.Token)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("preview base %s is not plain HTTP on loopback", base)
	}
	if _, err := a.NewLink(); err != nil {
		t.Fatal(err)
	}
	if _, now := a.previewAddress(); now == token {
		t.Fatal("a new link left the page's token as it was")
	}
}
