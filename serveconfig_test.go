package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/relay"
	"framecast/internal/testnet"
)

// watchFirstFrame connects to a /ws URL and waits for a frame.
func watchFirstFrame(t *testing.T, u string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, u, nil)
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	defer v.Close()
	if _, err := v.NextFrame(20 * time.Second); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

func httpDo(t *testing.T, method, u, admin, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if admin != "" {
		req.Header.Set("Authorization", "Bearer "+admin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeWithoutAConfigFileWritesAnExampleAndServesIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "framecast.yaml")
	addr := freeAddr(t)
	_, out := startServe(t, "--config", path, "--log-level", "warn")
	if !strings.Contains(out.String(), "wrote a commented example") {
		t.Fatalf("serve does not say it wrote the example:\n%s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("the example is %v, want 0600: it holds a token", st.Mode().Perm())
	}
	token := regexp.MustCompile(`(?m)^token: "?([^"\s]+)`).FindSubmatch(b)
	if token == nil {
		t.Fatalf("no token in the example:\n%s", b)
	}
	_ = addr
	m := regexp.MustCompile(`http://[^/\s]+/\?token=` + regexp.QuoteMeta(string(token[1]))).FindString(out.String())
	if m == "" {
		t.Fatalf("no grid link in the banner:\n%s", out)
	}
	code, body := httpDo(t, "GET", strings.Replace(m, "/?token=", "/api/streams?token=", 1), "", "")
	if code != 200 || strings.Count(body, `"name"`) != 2 {
		t.Fatalf("/api/streams: %d %s", code, body)
	}
}

func TestServeRunsTheStreamsOfAConfigFileAndSavesWhatTheAPIChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "framecast.yaml")
	addr := freeAddr(t)
	const token, admin = "file-token-0123456789", "admin-token-0123456789"
	var streams strings.Builder
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&streams, "  # camera %d\n  cam-%d:\n    source: test\n    width: 320\n    height: 180\n    quality: 60 # small\n", i, i)
	}
	file := fmt.Sprintf("# the four cameras of line 2\naddr: %q\ntoken: %q\nadmin_token: %q\nstreams:\n%s", addr, token, admin, streams.String())
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, out := startServe(t, "--config", path)
	for i := 1; i <= 4; i++ {
		watchFirstFrame(t, fmt.Sprintf("ws://%s/s/cam-%d/ws?token=%s", addr, i, token))
	}
	watchFirstFrame(t, "ws://"+addr+"/ws?token="+token) // the first stream's single-stream link
	if !strings.Contains(out.String(), "/s/cam-3/?token="+token) {
		t.Fatalf("the banner lacks cam-3's link:\n%s", out)
	}
	api := "http://" + addr + "/api/streams"
	if code, _ := httpDo(t, "PUT", api+"/cam-2", token, `{"quality":35}`); code != 401 {
		t.Fatalf("the viewer token opened the API: %d", code)
	}
	if code, body := httpDo(t, "PUT", api+"/cam-2", admin, `{"quality":35}`); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if code, body := httpDo(t, "POST", api, admin, `{"name":"cam-5","width":320,"height":180}`); code != 201 {
		t.Fatalf("POST: %d %s", code, body)
	}
	if code, body := httpDo(t, "DELETE", api+"/cam-4", admin, ""); code != 204 {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	if code, body := httpDo(t, "PUT", api+"/cam-3", admin, `{"name":"dock"}`); code != 200 {
		t.Fatalf("rename: %d %s", code, body)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	saved := string(b)
	for _, want := range []string{"# the four cameras of line 2", "# camera 1", "quality: 35", "quality: 60 # small", "cam-5:", "# camera 3\n  dock:"} {
		if !strings.Contains(saved, want) {
			t.Errorf("the saved file lacks %q:\n%s", want, saved)
		}
	}
	if strings.Contains(saved, "cam-4:") || strings.Contains(saved, "cam-3:") {
		t.Errorf("the removed stream is still in the file:\n%s", saved)
	}
	// A restart serves what was saved.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// startServe's goroutine waits for it: gone once that has reaped it.
	testnet.WaitUntil(t, "serve to stop", func() bool { return syscall.Kill(cmd.Process.Pid, 0) != nil })
	startServe(t, "--config", path)
	watchFirstFrame(t, "ws://"+addr+"/s/cam-5/ws?token="+token)
	code, body := httpDo(t, "GET", api+"/cam-2", admin, "")
	if code != 200 || !strings.Contains(body, `"quality":35`) {
		t.Fatalf("cam-2 after the restart: %d %s", code, body)
	}
}

func TestServeRefusesABadConfigFileNamingTheLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(path, []byte("streams:\n  a:\n    source: test\n    qualty: 50\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runFramecast(t, "serve", "--config", path)
	if code == 0 || !strings.Contains(errOut, "line 4") || !strings.Contains(errOut, "qualty") {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	code, _, errOut = runFramecast(t, "serve", "--config", path, "--source", "test")
	if code == 0 || !strings.Contains(errOut, "--source") || !strings.Contains(errOut, "streams.<name>.source") {
		t.Fatalf("--source with --config: exit %d:\n%s", code, errOut)
	}
}

func TestServePushesEachStreamOfAConfigFileUnderItsName(t *testing.T) {
	const publish, token = "publish-token-0123456789", "file-token-0123456789"
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publish},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	path := filepath.Join(t.TempDir(), "framecast.yaml")
	file := fmt.Sprintf("addr: %q\ntoken: %q\nrelay:\n  url: ws://%s\n  publish_token: %q\nstreams:\n", freeAddr(t), token, rl.Addr(), publish)
	for _, name := range []string{"dock", "line-1"} {
		file += fmt.Sprintf("  %s:\n    source: test\n    width: 320\n    height: 180\n    push: true\n", name)
	}
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out := startServe(t, "--config", path)
	for _, name := range []string{"dock", "line-1"} {
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), "Pushing to the relay at ws://"+rl.Addr().String()+"/ingest/"+name) {
			if time.Now().After(deadline) {
				t.Fatalf("%s is not pushed:\n%s", name, out)
			}
			select {
			case <-out.changed():
			case <-time.After(time.Second):
			}
		}
		watchFirstFrame(t, fmt.Sprintf("ws://%s/s/%s/ws?token=%s", rl.Addr(), name, token))
	}
}
