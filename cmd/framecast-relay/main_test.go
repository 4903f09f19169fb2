package main

import (
	"bufio"
	"debug/elf"
	"fmt"
	"framecast/internal/testproc"
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

// The relay passes H.264 on as producers encoded it: no encoder, no cgo.
func TestTheRelayBuildsWithoutGocvOrWailsOrAnEncoder(t *testing.T) {
	out, err := goCmd(t, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "gocv") || strings.Contains(dep, "wailsapp") || dep == "framecast/backend/encode" {
			t.Fatalf("the static relay depends on %s", dep)
		}
	}
}

// buildRelay builds the relay as `make relay` does, into a temporary
// directory, and returns its path.
func buildRelay(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "framecast-relay")
	if out, err := goCmd(t, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build with CGO_ENABLED=0: %v\n%s", err, out)
	}
	return bin
}

func TestTheStaticRelayIsOneFileThatServes(t *testing.T) {
	bin := buildRelay(t)
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
	testproc.Stop(t, "the relay", cmd, syscall.SIGTERM, 5*time.Second)
}

func TestTheRelayStopsGracefullyOnASignalRightAfterItsBanner(t *testing.T) {
	bin := buildRelay(t)
	for i := range 8 {
		sig := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}[i%2]
		cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--publish-token", "publish-token-0123456789")
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		// At the banner's first byte: the relay has announced itself, so
		// it must already close gracefully on a signal.
		testproc.SignalAtBanner(t, fmt.Sprintf("the relay, run %d", i), cmd, sig, 10*time.Second)
	}
}

func TestTheRelayBannerHoldsNoSecretAndNoPlaceholderHost(t *testing.T) {
	bin := buildRelay(t)
	const publish = "q+Zk/3vT9x1m0P2r8sYw4A==" // base64, as openssl rand -base64 makes
	for _, tc := range []struct {
		name  string
		args  []string
		token string // in the banner, exactly so; "" for none
	}{
		{"a given token is not printed", []string{"--publish-token", publish}, ""},
		{"a token from the environment is not printed", nil, ""},
		{"a made-up token is not printed to a pipe", []string{"--publish-token", ""}, ""},
		{"--print-token prints it query-escaped", []string{"--publish-token", publish, "--print-token"}, "token=q%2BZk%2F3vT9x1m0P2r8sYw4A%3D%3D&"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "FRAMECAST_PUBLISH_TOKEN="+publish)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()                          //nolint:errcheck // killed
			defer cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // the test is over
			out := readBanner(t, stdout)
			if strings.Contains(out, "HOST") || !strings.Contains(out, "ws://127.0.0.1:") {
				t.Fatalf("the banner does not name the address it listens on:\n%s", out)
			}
			if strings.Contains(out, publish) || (tc.token == "" && strings.Contains(out, "q%2BZk")) {
				t.Fatalf("the banner shows the publish token:\n%s", out)
			}
			if tc.token != "" && !strings.Contains(out, tc.token) {
				t.Fatalf("the banner lacks %q:\n%s", tc.token, out)
			}
		})
	}
}

// readBanner reads what the relay prints at start, up to its viewer link,
// and drains the rest; it fails the test if that takes over 15 s.
func readBanner(t *testing.T, stdout io.Reader) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		var banner strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			banner.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "viewers open") {
				break
			}
		}
		got <- banner.String()
		io.Copy(io.Discard, stdout) //nolint:errcheck // only drained
	}()
	select {
	case out := <-got:
		return out
	case <-time.After(15 * time.Second):
		t.Fatal("no viewer link within 15 s")
		return ""
	}
}
