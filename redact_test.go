package main

import (
	"bufio"
	"fmt"
	"framecast/internal/testproc"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeKeepsACamerasCredentialsFromTheBannerLogsAndViewers(t *testing.T) {
	jpeg, err := os.ReadFile(filepath.Join("backend", "vision", "testdata", "face.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// A camera on loopback: MJPEG over HTTP, as long as it is asked.
	camLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cam := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=b")
		for r.Context().Err() == nil {
			fmt.Fprintf(w, "--b\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(jpeg))
			if _, err := w.Write(jpeg); err != nil {
				return
			}
			fmt.Fprint(w, "\r\n")
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	})}
	go func() { _ = cam.Serve(camLn) }()
	t.Cleanup(func() { _ = cam.Close() })
	source := "http://admin:pw-secret@" + camLn.Addr().String() + "/cam.mjpg?token=query-secret"

	addr := freeAddr(t)
	const viewToken = "redact-token-0123456789"
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FRAMECAST_MAIN=1",
		"FRAMECAST_ARGS=serve --log-level debug --addr "+addr+" --token "+viewToken+" --source "+source)
	var stdout, stderr testproc.Buffer
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(io.TeeReader(out, &stdout))
	for sc.Scan() && !strings.Contains(sc.Text(), "Ctrl+C") {
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	noSecrets := func(t *testing.T, what, text string) {
		t.Helper()
		for _, secret := range []string{"pw-secret", "query-secret"} {
			if strings.Contains(text, secret) {
				t.Fatalf("%q in %s:\n%s", secret, what, text)
			}
		}
	}
	t.Run("the start banner names the source without its password or query", func(t *testing.T) {
		if !strings.Contains(stdout.String(), "Framecast is streaming http://admin:redacted@") {
			t.Fatalf("banner:\n%s", stdout.String())
		}
		noSecrets(t, "the banner", stdout.String())
	})
	t.Run("a viewer's /api/state has the source without user, password or query", func(t *testing.T) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/state?token="+viewToken, nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.7") // through a proxy on this machine
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		noSecrets(t, "a viewer's state", string(body))
		if strings.Contains(string(body), "admin") || !strings.Contains(string(body), `"source":"http://`+camLn.Addr().String()+`/cam.mjpg"`) {
			t.Fatalf("state: %s", body)
		}
	})
	t.Run("the logs name the source without its password or query", func(t *testing.T) {
		noSecrets(t, "the log", stderr.String())
	})
}
