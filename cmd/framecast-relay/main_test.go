package main

import (
	"bufio"
	"debug/elf"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// goCmd runs the go command with CGO off, as `make relay` builds.
func goCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return cmd
}

func TestTheRelayBuildsWithoutGocvOrWails(t *testing.T) {
	out, err := goCmd(t, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "gocv") || strings.Contains(dep, "wailsapp") {
			t.Fatalf("the static relay depends on %s", dep)
		}
	}
}

func TestTheStaticRelayIsOneFileThatServes(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "framecast-relay")
	if out, err := goCmd(t, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build with CGO_ENABLED=0: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the relay binary needs a dynamic loader")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the relay binary needs %v", libs)
	}
	f.Close()

	const view = "legacy-view-token-0123"
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--publish-token", "publish-token-0123456789",
		"--legacy-ingest", "--legacy-token", view)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck // a second kill after Wait is harmless
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v", err)
	}
	addr := strings.TrimSpace(strings.TrimPrefix(line, "Framecast relay on "))
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	// The viewer page is in the binary.
	resp, err = http.Get("http://" + addr + "/s/default/?token=" + view)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<title>Framecast</title>") {
		t.Fatalf("the viewer page: %d %.200s", resp.StatusCode, page)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after SIGTERM: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the relay did not stop on SIGTERM")
	}
}
