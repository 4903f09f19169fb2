package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"framecast/internal/testclip"
)

// Every shell command in README.md and docs/*.md runs as written: this test
// reads each ```sh (or bash, shell) block, runs its commands in order against
// this program (as `framecast` and `framecast-relay` on the PATH) and checks
// what each promises: a command that ends exits 0; one that serves (serve,
// relay) says so, answers /healthz and its links, pushes when told to, and
// stops cleanly on SIGTERM. A block added to the docs later is run the same
// way. The only commands not run are in docSkips, each with its reason.

// docSkips are the commands of the docs that cannot run here, by the start
// of their text, each with the reason. Keep it short and explicit: every
// other command runs as written, and an entry that matches no command fails
// the test.
func docSkips() map[string]string {
	return map[string]string{
		"make run":                          "builds the desktop app with wails and opens its window",
		"make test":                         "the whole suite, this test among it",
		"make relay":                        "a build; cmd/framecast-relay's tests build and run the same binary",
		"framecast serve --source camera:0": "a real camera",
		"framecast serve --source 'camera:0?api=dshow'": "a real camera, on Windows",
		"scp ":  "a remote machine",
		"ssh ":  "a remote machine",
		"sudo ": "root on the relay's machine",
		"./framecast-relay --addr :443 --tls acme":           "a public domain name and Let's Encrypt",
		"framecast-relay --addr :8188 --nats nats://n1:4222": "three NATS servers",
		"framecast-relay --addr :8188 --nats-name a":         "the hosts b and c of a NATS cluster",
	}
}

// docSkipBlocks are whole blocks not run, by the start of their first
// command, each with the reason.
func docSkipBlocks() map[string]string {
	return map[string]string{
		"curl -L -o opencv.zip": "macOS, and OpenCV downloaded and built from source",
	}
}

// docCommand is one command of a shell block, its continuation lines joined.
type docCommand struct {
	where string // file:line
	text  string
}

// docBlock is one shell block of the docs: its commands run in order in one
// working directory, sharing what its `export` lines set.
type docBlock struct {
	where string
	cmds  []docCommand
}

// readDocBlocks reads every shell block of README.md and docs/*.md.
func readDocBlocks(t *testing.T) []docBlock {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	for _, f := range append([]string{"README.md"}, files...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cur *docBlock
		inFence, cont := false, ""
		contAt := 0
		for i, line := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "```") {
				if !inFence {
					inFence = true
					switch strings.TrimSpace(strings.TrimPrefix(trimmed, "```")) {
					case "sh", "bash", "shell":
						cur = &docBlock{where: fmt.Sprintf("%s:%d", f, i+1)}
					}
					continue
				}
				inFence = false
				if cur != nil {
					blocks = append(blocks, *cur)
				}
				cur = nil
				continue
			}
			if cur == nil {
				continue
			}
			if cont == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
				continue
			}
			if cont == "" {
				contAt = i + 1
			}
			if strings.HasSuffix(trimmed, "\\") {
				cont += strings.TrimSuffix(trimmed, "\\") + " "
				continue
			}
			cur.cmds = append(cur.cmds, docCommand{where: fmt.Sprintf("%s:%d", f, contAt), text: cont + trimmed})
			cont = ""
		}
	}
	return blocks
}

func TestEveryCommandInTheDocsRunsAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the docs' commands: seconds each")
	}
	if os.Getenv("FRAMECAST_DOCS_NETNS") == "" && runInOwnNetwork(t) {
		return
	}
	if os.Getenv("FRAMECAST_DOCS_NETNS") == "" {
		// The docs name fixed ports; on the shared network they may be
		// taken by something else.
		for _, port := range []string{"8188", "8189"} {
			ln, err := net.Listen("tcp", ":"+port)
			if err != nil {
				t.Skipf("no network namespace of its own here (unshare) and port %s is taken: %v", port, err)
			}
			ln.Close()
		}
	}
	blocks := readDocBlocks(t)
	if len(blocks) == 0 {
		t.Fatal("no shell blocks found in README.md and docs/")
	}
	dir := docWorkdir(t)
	skips, skipBlocks, used := docSkips(), docSkipBlocks(), map[string]bool{}
	for _, b := range blocks {
		t.Run(b.where, func(t *testing.T) {
			if len(b.cmds) > 0 {
				if prefix, reason := skipOf(skipBlocks, b.cmds[0].text); prefix != "" {
					used[prefix] = true
					t.Skipf("not run, it needs %s", reason)
				}
			}
			env := docEnv(dir)
			var relays []*docProc
			defer func() {
				for _, p := range relays {
					p.stop(t)
				}
			}()
			for _, c := range b.cmds {
				if prefix, reason := skipOf(skips, c.text); prefix != "" {
					used[prefix] = true
					t.Logf("%s: not run, it needs %s: %s", c.where, reason, c.text)
					continue
				}
				if strings.HasPrefix(c.text, "export ") {
					env = docExport(t, dir, env, c)
					continue
				}
				p := runDoc(t, dir, env, c)
				if p == nil {
					continue // it ended, as it should
				}
				if strings.Contains(c.text, " relay") || strings.HasPrefix(c.text, "framecast-relay") || strings.HasPrefix(c.text, "./framecast-relay") {
					relays = append(relays, p) // the producers after it push to it
					continue
				}
				p.stop(t)
			}
		})
	}
	for prefix := range skips {
		skipBlocks[prefix] = skips[prefix]
	}
	for prefix := range skipBlocks {
		if !used[prefix] {
			t.Errorf("docSkips names %q, which is no command of the docs any more: remove it", prefix)
		}
	}
}

// skipOf returns the docSkips entry that c starts with, if any.
func skipOf(skips map[string]string, c string) (string, string) {
	for prefix, reason := range skips {
		if strings.HasPrefix(c, prefix) {
			return prefix, reason
		}
	}
	return "", ""
}

// runInOwnNetwork runs this test again in a network namespace of its own,
// where the docs' fixed ports (8188, 8189) are free whatever else runs on
// the machine and nothing leaves loopback. It reports false when the
// system cannot make one (no unshare, no user namespaces).
func runInOwnNetwork(t *testing.T) bool {
	t.Helper()
	unshare, err1 := exec.LookPath("unshare")
	ip, err2 := exec.LookPath("ip")
	if err1 != nil || err2 != nil || exec.Command(unshare, "-rn", ip, "link", "set", "lo", "up").Run() != nil {
		t.Log("no network namespace of its own here: running on the machine's network")
		return false
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(unshare, "-rn", "sh", "-c", `"$0" link set lo up && exec "$@"`, ip,
		self, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), "FRAMECAST_DOCS_NETNS=1")
	out, err := cmd.CombinedOutput()
	t.Logf("in a network namespace of its own:\n%s", out)
	if err != nil {
		t.Fatalf("the docs' commands: %v", err)
	}
	return true
}

// docWorkdir is where the docs' commands run: it holds `framecast` and
// `framecast-relay` (this program), and the files the commands name.
func docWorkdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for name, cmd := range map[string]string{"framecast": "", "framecast-relay": " relay"} {
		script := fmt.Sprintf("#!/bin/sh\nFRAMECAST_MAIN=1 exec %q%s \"$@\"\n", self, cmd)
		for _, d := range []string{dir, filepath.Join(dir, "bin")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, name), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The files the README's examples name: a video and a still picture.
	clip, err := os.ReadFile(testclip.Write(t, 60, 30, 320, 240))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "line.mp4"), clip, 0o644); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logo.png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// docEnv is the environment the docs' commands start with: this one, with
// `framecast` on the PATH, a home of their own and no Framecast variables.
func docEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FRAMECAST_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "PATH=") ||
			strings.HasPrefix(kv, "XDG_CONFIG_HOME=") || strings.HasPrefix(kv, "DISPLAY=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+filepath.Join(dir, "home"), "PATH="+filepath.Join(dir, "bin")+":"+os.Getenv("PATH"))
}

// docExport runs an export line once and returns the environment it leaves,
// so every later command of the block sees the same value.
func docExport(t *testing.T, dir string, env []string, c docCommand) []string {
	t.Helper()
	cmd := exec.Command("bash", "-c", c.text+" && env -0")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %s: %v", c.where, c.text, err)
	}
	var next []string
	for kv := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if !strings.HasPrefix(kv, "_=") && !strings.HasPrefix(kv, "SHLVL=") && !strings.HasPrefix(kv, "PWD=") {
			next = append(next, kv)
		}
	}
	return next
}
