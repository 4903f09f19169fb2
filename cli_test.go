package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/relay"
	"framecast/internal/testproc"
)

// framecast is this program run as `framecast args…`, in a directory and
// home of its own.
func framecast(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "FRAMECAST_MAIN=1", "HOME="+t.TempDir())
	return cmd
}

// runFramecast runs the program to its end, within 30 s, and returns its
// exit code, stdout and stderr.
func runFramecast(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := framecast(t, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("framecast %v still ran after 30 s:\n%s\n%s", args, stdout.String(), stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func TestHelpNamesTheCommandsAndVersionSaysWhichBuild(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // on stdout
	}{
		{"--help names the commands and the common flags", []string{"--help"}, []string{"serve", "relay", "bench", "version", "--source", "--token", "--publish-token", "--log-level"}},
		{"-h is --help", []string{"-h"}, []string{"serve", "relay", "--addr"}},
		{"help is --help", []string{"help"}, []string{"serve", "relay"}},
		{"--version gives the version and commit", []string{"--version"}, []string{"framecast dev (commit "}},
		{"version is --version", []string{"version"}, []string{"framecast dev (commit "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runFramecast(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d, want 0:\n%s%s", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
	for cmd, flag := range map[string]string{"serve": "-source", "relay": "-publish-token", "bench": "-scenarios"} {
		t.Run(cmd+" -h lists its flags and exits 0", func(t *testing.T) {
			code, out, errOut := runFramecast(t, cmd, "-h")
			if code != 0 || !strings.Contains(out+errOut, flag) {
				t.Fatalf("exit %d, want 0 and the flags:\n%s%s", code, out, errOut)
			}
		})
	}
}

func TestServeHoldsTokensToTheOneRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // on stderr
	}{
		{"a short --token is refused", []string{"--token", "abc"}, "--token: must be 16 to 256 characters"},
		{"a --token with a space is refused", []string{"--token", "view token 0123456789"}, "--token: character 5"},
		{"a short --publish-token is refused", []string{"--push", "ws://127.0.0.1:1/ingest/line1", "--publish-token", "P"}, "--publish-token: must be 16 to 256 characters"},
		{"--push without a publish token is refused", []string{"--push", "ws://127.0.0.1:1/ingest/line1"}, "--publish-token"},
		{"the ingest source without a publish token is refused", []string{"--source", "ingest"}, "--source ingest: give the token its producer will send with --publish-token"},
		{"the ingest source with a short publish token is refused", []string{"--source", "ingest", "--publish-token", "P"}, "--publish-token: must be 16 to 256 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runFramecast(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want 1 and %q:\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
	t.Run("the relay holds its publish token to the same rule", func(t *testing.T) {
		code, out, errOut := runFramecast(t, "relay", "--addr", "127.0.0.1:0", "--publish-token", "P")
		if code != 1 || !strings.Contains(errOut, "--publish-token: must be 16 to 256 characters") {
			t.Fatalf("exit %d:\n%s%s", code, out, errOut)
		}
	})
}

// startServe starts `framecast serve args…` and returns it once it has
// printed "Press Ctrl+C to stop.", with what it printed so far.
func startServe(t *testing.T, args ...string) (*exec.Cmd, *watchedBuffer) {
	t.Helper()
	cmd := framecast(t, append([]string{"serve"}, args...)...)
	out := newWatchedBuffer()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // docProc signals the group
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &docProc{c: docCommand{text: "serve " + strings.Join(args, " ")}, cmd: cmd, out: out, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.stop(t)
		}
	})
	if !p.waitFor(t, 30*time.Second, "Press Ctrl+C to stop.") {
		t.Fatalf("serve did not start:\n%s", out)
	}
	return cmd, out
}

func TestServeStartsOnANetworkSourceThatIsAwayAndShowsNoSignal(t *testing.T) {
	addr := freeAddr(t)
	const token = "away-source-token-0123"
	startServe(t, "--source", "rtsp://127.0.0.1:1/x", "--addr", addr, "--token", token, "--width", "320", "--height", "180")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, "ws://"+addr+"/ws?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.NextFrame(10 * time.Second); err != nil {
		t.Fatalf("no NO SIGNAL picture: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/api/state?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"state":"no-signal"`) {
		t.Fatalf("/api/state: %s, want no-signal", body)
	}
}

func TestServeRefusesABadCodecOrBitrateNamingTheFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // on stderr
	}{
		{"h264 alone is not a codec choice", []string{"--codec", "h264"}, `invalid value "h264" for flag -codec: "h264" is not a codec choice: auto`},
		{"a bitrate below 50k is refused", []string{"--bitrate", "10k"}, `invalid value "10k" for flag -bitrate: "10k" is out of range: use auto, or from 50k to 100M`},
		{"a bitrate that is no number is refused", []string{"--bitrate", "fast"}, `"fast" is not a bitrate: write auto, or bits a second such as 2M`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runFramecast(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want 2 and %q:\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
}

func TestServeNamesASourceFileThatDoesNotExist(t *testing.T) {
	code, out, errOut := runFramecast(t, "serve", "--source", "line.mp4", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "framecast: source file line.mp4 does not exist") || strings.Contains(errOut, "stat ") {
		t.Fatalf("exit %d, want 1 and the file named in plain words:\n%s%s", code, out, errOut)
	}
}

func TestServeSaysItPushesOnlyOnceTheRelayTookTheStream(t *testing.T) {
	const publish = "publish-token-0123456789"
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publish},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	ingest := "ws://" + rl.Addr().String() + "/ingest/line1"
	t.Run("a refused publish token is said to be refused, never pushing", func(t *testing.T) {
		_, out := startServe(t, "--source", "test", "--addr", "127.0.0.1:0", "--width", "320", "--height", "180",
			"--push", ingest, "--publish-token", "wrong-publish-token-0000")
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), "refused the stream") {
			if time.Now().After(deadline) {
				t.Fatalf("no refusal said within 20 s:\n%s", out)
			}
			select {
			case <-out.changed():
			case <-time.After(time.Second):
			}
		}
		if s := out.String(); strings.Contains(s, "Pushing to") || !strings.Contains(s, "401") || strings.Contains(s, "wrong-publish-token") {
			t.Fatalf("serve claims to push, or does not say why, or shows the token:\n%s", s)
		}
	})
	t.Run("the right publish token is said to push once connected", func(t *testing.T) {
		_, out := startServe(t, "--source", "test", "--addr", "127.0.0.1:0", "--width", "320", "--height", "180",
			"--push", ingest, "--publish-token", publish)
		if s := out.String(); !strings.Contains(s, "Connecting to the relay at "+ingest) {
			t.Fatalf("serve does not say it connects:\n%s", s)
		}
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), "Pushing to the relay at "+ingest) {
			if time.Now().After(deadline) {
				t.Fatalf("not pushing within 20 s:\n%s", out)
			}
			select {
			case <-out.changed():
			case <-time.After(time.Second):
			}
		}
	})
}

func TestServeStopsGracefullyOnASignalRightAfterItsBanner(t *testing.T) {
	for i := range 6 {
		sig := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}[i%2]
		cmd := framecast(t, "serve", "--source", "test", "--addr", "127.0.0.1:0", "--width", "320", "--height", "180")
		// At the banner's first byte: serve has announced its links, so a
		// signal must close it gracefully.
		testproc.SignalAtBanner(t, fmt.Sprintf("serve, run %d", i), cmd, sig, 15*time.Second)
	}
}
