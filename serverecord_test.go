package main

import (
	"encoding/json"
	"errors"
	"framecast/backend/record"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"framecast/internal/testclip"
	"framecast/internal/testnet"
)

// recorded is what api/recordings says.
func recorded(t *testing.T, base, token string) []struct{ Start, End time.Time } {
	t.Helper()
	resp, err := http.Get(base + "/api/recordings?token=" + url.QueryEscape(token))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var spans []struct{ Start, End time.Time }
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&spans) != nil {
		return nil
	}
	return spans
}

// segmentEnd is when the recording in an MP4 segment ends: the start its
// name says plus its duration as ffprobe reads it. ffmpeg must decode
// every frame of it without an error.
func segmentEnd(t *testing.T, path string) time.Time {
	t.Helper()
	start, err := time.Parse("20060102T150405.000Z", strings.TrimSuffix(filepath.Base(path), ".mp4"))
	if err != nil {
		t.Fatalf("segment %s: its name is not its start: %v", path, err)
	}
	p := testclip.ProbeMP4(t, path)
	if p.Codec != "h264" || p.W != 640 || p.H != 360 {
		t.Fatalf("ffprobe %s: %+v, want h264 640x360", path, p)
	}
	return start.Add(p.Duration)
}

// Recording survives kill -9: what was recorded up to about a second
// before the kill is on disk and reads whole, and the next start records
// on in a new segment.
func TestARecordingSurvivesKill9AndTheNextStartAppendsASegment(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	const token = "record-token-0123456789"
	args := []string{"--source", "test", "--width", "640", "--height", "360", "--fps", "30", "--addr", addr,
		"--token", token, "--record", dir, "--log-level", "warn"}
	cmd, out := startServe(t, args...)
	if !strings.Contains(out.String(), "Recording 1 of 1 streams into "+dir) {
		t.Fatalf("serve does not say it records:\n%s", out)
	}
	base := "http://" + addr
	testnet.WaitFor(t, 60*time.Second, "3 s recorded", func() bool {
		spans := recorded(t, base, token)
		return len(spans) == 1 && spans[0].End.Sub(spans[0].Start) >= 3*time.Second
	})

	killed := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 10*time.Second, "serve gone", func() bool {
		return errors.Is(syscall.Kill(cmd.Process.Pid, 0), syscall.ESRCH)
	})
	segs, _ := filepath.Glob(filepath.Join(dir, "framecast", "*.mp4"))
	if len(segs) == 0 {
		t.Fatalf("no segment in %s after the kill", dir)
	}
	last := segs[len(segs)-1]
	end := segmentEnd(t, last) // ffprobe reads it, even as the kill left it
	if lost := killed.Sub(end); lost > 1500*time.Millisecond {
		t.Fatalf("the recording ends %v before the kill, want at most 1.5 s", lost)
	}

	cmd, _ = startServe(t, args...)
	spans := recorded(t, base, token)
	if len(spans) == 0 || spans[0].End.Before(killed.Add(-1500*time.Millisecond)) {
		t.Fatalf("after the restart the recordings are %v, want one reaching within 1.5 s of the kill at %v", spans, killed)
	}
	testnet.WaitFor(t, 60*time.Second, "a new segment of 2 s", func() bool {
		s := recorded(t, base, token)
		return len(s) > 0 && s[len(s)-1].End.After(killed.Add(2*time.Second))
	})
	// Stopped as usual, the new segment is closed whole.
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 30*time.Second, "serve stopped", func() bool {
		return errors.Is(syscall.Kill(cmd.Process.Pid, 0), syscall.ESRCH)
	})
	segs, _ = filepath.Glob(filepath.Join(dir, "framecast", "*.mp4"))
	if len(segs) < 2 || segs[len(segs)-1] == last {
		t.Fatalf("segments %v: the restart must append a new one after %s", segs, last)
	}
	for _, s := range segs {
		segmentEnd(t, s)
	}
	if _, err := os.Stat(last); err != nil {
		t.Fatal(err)
	}
}

func TestServeRefusesBadRecordingFlagsNamingThem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A folder another framecast records into (this test holds it).
	busy := t.TempDir()
	held, err := record.Open(record.Options{Dir: busy})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // on stderr
	}{
		{"a keep without a folder", []string{"--record-keep", "7d"}, 1, "--record-keep and --record-max-size go with --record DIR"},
		{"a keep that is no duration", []string{"--record", "r", "--record-keep", "a week"}, 2, `invalid value "a week" for flag -record-keep`},
		{"a size that is no size", []string{"--record", "r", "--record-max-size", "50 G"}, 2, `"50 G": write a size such as 50GB`},
		{"a keep too short to keep anything", []string{"--record", "r", "--record-keep", "10m"}, 1, "--record: keep 10m: must be at least 1h"},
		{"a folder that is a file", []string{"--record", file}, 1, "--record " + file + ":"},
		{"a folder recorded into already", []string{"--record", busy}, 1, "--record " + busy + ": record: another framecast records into this folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runFramecast(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s%s", code, tc.code, tc.want, out, errOut)
			}
		})
	}
}

// A config file's record: section records every stream but one that says
// record: false; the runtime API turns that one on, and the file keeps it.
func TestServeRecordsTheStreamsOfAConfigFileAndTheAPITurnsOneOn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "framecast.yaml")
	addr := freeAddr(t)
	const token, admin = "file-token-0123456789", "admin-token-0123456789"
	file := "addr: \"" + addr + "\"\ntoken: " + token + "\nadmin_token: " + admin +
		"\nrecord:\n  dir: " + filepath.Join(dir, "rec") + "\n  keep: 7d\n" +
		"streams:\n  dock:\n    source: test\n    width: 320\n    height: 180\n" +
		"  gate:\n    source: test\n    width: 320\n    height: 180\n    record: false # not yet\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out := startServe(t, "--config", path)
	if !strings.Contains(out.String(), "Recording 1 of 2 streams into "+filepath.Join(dir, "rec")+" (kept 7d)") {
		t.Fatalf("the banner does not say what is recorded:\n%s", out)
	}
	base := "http://" + addr
	testnet.WaitFor(t, 60*time.Second, "dock recorded", func() bool { return len(recorded(t, base+"/s/dock", token)) > 0 })
	if code, body := httpDo(t, "GET", base+"/s/gate/api/recordings?token="+token, "", ""); code != 404 || !strings.Contains(body, "not recorded") {
		t.Fatalf("gate, not recorded: %d %s", code, body)
	}
	if code, body := httpDo(t, "PUT", base+"/api/streams/gate", admin, `{"record":true}`); code != 200 || !strings.Contains(body, `"record":true`) {
		t.Fatalf("PUT record: %d %s", code, body)
	}
	testnet.WaitFor(t, 60*time.Second, "gate recorded", func() bool { return len(recorded(t, base+"/s/gate", token)) > 0 })
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "record: false") || !strings.Contains(string(b), "keep: 7d") {
		t.Fatalf("the saved file:\n%s", b)
	}
}
