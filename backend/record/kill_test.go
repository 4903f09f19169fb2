package record

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"framecast/backend/protocol"
	"framecast/internal/testclip"
)

// TestKilledRecorder is the process TestKill9 kills: it records frames
// captured now, at their pace, until it is killed.
func TestKilledRecorder(t *testing.T) {
	dir := os.Getenv("RECORD_KILL_DIR")
	if dir == "" {
		t.Skip("run by TestKill9")
	}
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	os.Stdout.WriteString("recording\n")
	for i := 0; ; i++ {
		u := units[i%len(units)]
		r.Write(protocol.Header{TS: time.Now().UnixMicro(), Key: u.key, Detections: motion(i)}, u.au)
		time.Sleep(frameDur)
	}
}

func TestKill9LosesAtMostAboutAFragment(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledRecorder$")
	cmd.Env = append(os.Environ(), "RECORD_KILL_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "recording\n" {
		t.Fatalf("the recorder says %q, %v", line, err)
	}
	// Let it record a while: until its segment has 3 s on disk.
	for {
		paths, _ := filepath.Glob(filepath.Join(dir, "cam", "*.mp4"))
		if len(paths) == 1 && onDisk(t, paths[0]) >= 90 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Then kill it at a time that has nothing to do with its fragments.
	time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = cmd.Wait()

	s := openStore(t, Options{Dir: dir})
	spans := s.Spans("cam")
	if len(spans) != 1 {
		t.Fatalf("spans %v", spans)
	}
	lost := killed.Sub(spans[0].End)
	t.Logf("the recording ends %v before the kill", lost)
	if lost > 1500*time.Millisecond {
		t.Errorf("the recording ends %v before the kill, want at most 1.5 s", lost)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "cam", "*.mp4"))
	testclip.ProbeMP4(t, paths[0])
	ds, err := s.Detections("cam", Query{Start: spans[0].Start, Duration: time.Hour})
	if err != nil || len(ds) == 0 || ds[len(ds)-1].TS.After(spans[0].End) {
		t.Errorf("detections %d (%v), the last after the end %v", len(ds), err, spans[0].End)
	}
	// The next start appends a new segment.
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	feed(r, units, 320, 240, time.Now(), 0, 30, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if paths, _ := filepath.Glob(filepath.Join(dir, "cam", "*.mp4")); len(paths) != 2 {
		t.Errorf("segments after a new start: %v", paths)
	}
}
