package record

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"framecast/backend/protocol"
	"framecast/internal/testclip"
	"framecast/internal/testnet"
)

// onDisk counts the frames in a segment file's whole fragments, read as a
// crash would leave them.
func onDisk(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	st, _ := f.Stat()
	_, initEnd, err := readInit(f, st.Size())
	if err != nil {
		return 0
	}
	n := 0
	walkFragments(f, initEnd, st.Size(), true, func(fr fragment) bool { n += len(fr.samples); return true })
	return n
}

func TestAFrameIsOnDiskWithinAFragmentEvenWhenFramesStop(t *testing.T) {
	s := openStore(t, Options{})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	units := encoded(t, 320, 240, 120)
	path := filepath.Join(s.o.Dir, "cam", time.Now().UTC().Truncate(time.Millisecond).Format(nameLayout)+".mp4")
	// Frames at their pace, captured now.
	var last time.Time
	for i := range 20 {
		now := time.Now()
		if i == 0 {
			path = filepath.Join(s.o.Dir, "cam", now.UTC().Truncate(time.Millisecond).Format(nameLayout)+".mp4")
		}
		r.Write(protocol.Header{TS: now.UnixMicro(), Key: units[i].key}, units[i].au)
		last = now
		time.Sleep(frameDur)
	}
	for onDisk(t, path) < 20 {
		if time.Since(last) > 2*s.o.Fragment+500*time.Millisecond {
			t.Fatalf("%v after the last frame, %d of 20 frames are on disk", time.Since(last), onDisk(t, path))
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(last)
	t.Logf("the last frame was on disk %v after it came", took)
	if took > s.o.Fragment+300*time.Millisecond {
		t.Errorf("the last frame was on disk %v after it came, want about %v", took, s.o.Fragment)
	}
	if st := r.Status(); !st.Recording || st.Err != "" || st.Bytes == 0 {
		t.Errorf("status %+v", st)
	}
}

func TestAPlaceholderIsAGapUntilTheNextKeyframe(t *testing.T) {
	s := openStore(t, Options{})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	feed(r, units, 320, 240, t0, 0, 90, nil)
	// Less than gapAfter of NO SIGNAL, then frames from one that is not a
	// keyframe.
	for i := 90; i <= 100; i++ {
		r.Write(protocol.Header{TS: frameTime(t0, i).UnixMicro(), Placeholder: true}, []byte("a JPEG"))
	}
	feed(r, units, 320, 240, t0, 101, 240, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "cam", "*.mp4"))
	if len(paths) != 2 || filepath.Base(paths[1]) != frameTime(t0, 120).Truncate(time.Millisecond).Format(nameLayout)+".mp4" {
		t.Fatalf("segments %v, want one to frame 90 and one from frame 120", paths)
	}
	for i, want := range []int{90, 120} {
		if p := testclip.ProbeMP4(t, paths[i]); p.Frames != want {
			t.Errorf("segment %d has %d frames, want %d", i, p.Frames, want)
		}
	}
	if spans := s.Spans("cam"); len(spans) != 2 {
		t.Errorf("spans %v, want two: the gap is more than 1.5 frames", spans)
	}
}

// gatedFile is a file whose writes wait while its gate is shut; waiting
// counts the writes waiting.
type gatedFile struct {
	*os.File
	gate    *sync.RWMutex
	waiting *atomic.Int32
}

func (f gatedFile) Write(b []byte) (int, error) {
	f.waiting.Add(1)
	f.gate.RLock()
	f.waiting.Add(-1)
	defer f.gate.RUnlock()
	return f.File.Write(b)
}

func TestWriteNeverBlocksAndSkipsToAKeyframe(t *testing.T) {
	s := openStore(t, Options{})
	var gate sync.RWMutex
	var waiting atomic.Int32
	s.create = func(path string) (segFile, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		return gatedFile{f, &gate, &waiting}, err
	}
	var asked atomic.Int32
	r, err := s.Recorder("cam", func() { asked.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	feed(r, units, 320, 240, t0, 0, 60, nil)
	gate.Lock() // the disk stalls
	// Frames one at a time until the recorder waits on the disk (its next
	// fragment): on a busy machine a flood at once could fill the queue
	// before it gets there, and then skip again once it drained a little.
	i := 60
	for ; waiting.Load() == 0; i++ {
		if i == 60+queueFrames/2 {
			t.Fatalf("the recorder never wrote to the disk in %d frames", i-60)
		}
		feed(r, units, 320, 240, t0, i, i+1, nil)
		testnet.WaitUntil(t, "the frame taken or the recorder at the disk", func() bool { return len(r.queue) == 0 || waiting.Load() > 0 })
	}
	var slowest time.Duration
	end := i + 2*queueFrames
	for ; i < end; i++ {
		u := units[i%len(units)]
		start := time.Now()
		r.Write(protocol.Header{TS: frameTime(t0, i).UnixMicro(), Key: u.key}, u.au)
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 50*time.Millisecond {
		t.Errorf("a Write took %v while the disk stalled", slowest)
	}
	if asked.Load() != 2 {
		t.Errorf("a keyframe was asked for %d times, want at the start and once when frames were skipped", asked.Load())
	}
	gate.Unlock()
	feed(r, units, 320, 240, t0, end, end+120, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	spans := s.Spans("cam")
	if len(spans) != 2 {
		t.Fatalf("spans %v, want two: before the skip and from the keyframe after it", spans)
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "cam", "*.mp4"))
	for _, p := range paths {
		testclip.ProbeMP4(t, p)
	}
}

// fullDisk makes files that fail writes with ENOSPC once budget bytes
// were written to all of them.
type fullDisk struct {
	budget atomic.Int64
}

type budgetFile struct {
	*os.File
	d *fullDisk
}

func (f budgetFile) Write(b []byte) (int, error) {
	if f.d.budget.Add(-int64(len(b))) < 0 {
		n, _ := f.File.Write(b[:len(b)/2]) // a partial write, as a full disk leaves
		return n, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(b)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestAFullDiskStopsRecordingUntilThereIsRoom(t *testing.T) {
	var logs syncBuffer
	s := openStore(t, Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	disk := &fullDisk{}
	disk.budget.Store(60_000)
	s.create = func(path string) (segFile, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		return budgetFile{f, disk}, err
	}
	s.retry = 100 * time.Millisecond
	var asked atomic.Int32
	r, err := s.Recorder("cam", func() { asked.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	var slowest time.Duration
	i := 0
	for ; r.Status().Err == ""; i++ {
		if i > 3000 {
			t.Fatal("recording goes on with a full disk")
		}
		u := units[i%len(units)]
		start := time.Now()
		r.Write(protocol.Header{TS: frameTime(t0, i).UnixMicro(), Key: u.key}, u.au)
		slowest = max(slowest, time.Since(start))
		time.Sleep(time.Millisecond)
	}
	st := r.Status()
	if st.Recording || !strings.HasPrefix(st.Err, "disk full: write ") || !strings.HasSuffix(st.Err, "no space left on device; recording stopped") {
		t.Errorf("status %+v", st)
	}
	if slowest > 50*time.Millisecond {
		t.Errorf("a Write took %v", slowest)
	}
	// Retries meet the full disk again: logged once.
	for n := asked.Load(); asked.Load() < n+2; i++ {
		u := units[i%len(units)]
		r.Write(protocol.Header{TS: frameTime(t0, i).UnixMicro(), Key: u.key}, u.au)
		time.Sleep(time.Millisecond)
	}
	if n := strings.Count(logs.String(), `msg="recording stopped"`); n != 1 {
		t.Errorf("the stop was logged %d times:\n%s", n, logs.String())
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "cam", "*.mp4"))
	if len(paths) != 1 {
		t.Fatalf("segments %v, want the one cut by the full disk", paths)
	}
	testclip.ProbeMP4(t, paths[0])
	// Room again: recording resumes at a keyframe.
	disk.budget.Store(1 << 40)
	for ; !r.Status().Recording; i++ {
		if i > 6000 {
			t.Fatalf("recording did not resume: %+v", r.Status())
		}
		u := units[i%len(units)]
		r.Write(protocol.Header{TS: frameTime(t0, i).UnixMicro(), Key: u.key}, u.au)
		time.Sleep(time.Millisecond)
	}
	if st := r.Status(); st.Err != "" {
		t.Errorf("resumed with %+v", st)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	paths, _ = filepath.Glob(filepath.Join(s.o.Dir, "cam", "*.mp4"))
	if len(paths) != 2 {
		t.Fatalf("segments %v, want two", paths)
	}
	testclip.ProbeMP4(t, paths[1])
}

func TestAFullTmpfsStopsRecording(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	s := openStore(t, Options{Dir: dir})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	units := encoded(t, 640, 480, 120)
	for i := 0; r.Status().Err == ""; i++ {
		if i > 20000 {
			t.Fatal("recording goes on with a full disk")
		}
		feed(r, units, 640, 480, t0, i, i+1, motion)
	}
	if st := r.Status(); !strings.HasPrefix(st.Err, "disk full: ") || st.Recording {
		t.Errorf("status %+v", st)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "cam", "*.mp4"))
	for _, p := range paths {
		testclip.ProbeMP4(t, p)
	}
}

func TestRenameMovesRecordingsAndTheRecorder(t *testing.T) {
	s := openStore(t, Options{Segment: time.Second})
	r, err := s.Recorder("a", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	feed(r, units, 320, 240, t0, 0, 120, nil)
	if err := s.Rename("a", "b"); err != nil {
		t.Fatal(err)
	}
	feed(r, units, 320, 240, t0, 120, 240, nil)
	if _, err := s.Recorder("b", nil); !errors.Is(err, ErrRecording) {
		t.Errorf("a second recorder of b: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.o.Dir, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a's folder is left: %v", err)
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "b", "*.mp4"))
	if len(paths) != 4 {
		t.Errorf("b's segments: %v, want 4", paths)
	}
	if spans := s.Spans("b"); len(spans) != 1 || !within(spans[0].End.Sub(frameTime(t0, 240)), 0, time.Millisecond) {
		t.Errorf("b's spans %v", spans)
	}
	if spans := s.Spans("a"); len(spans) != 0 {
		t.Errorf("a's spans %v", spans)
	}
	c, err := s.Clip("b", t0, 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !within(c.Duration(), 8*time.Second, frameDur) {
		t.Errorf("a clip over the rename lasts %v", c.Duration())
	}
	if r, err := s.Recorder("a", nil); err != nil {
		t.Errorf("a after the rename: %v", err)
	} else {
		_ = r.Close()
	}
}

func TestStreamNamesThatCannotBeFolders(t *testing.T) {
	s := openStore(t, Options{})
	for _, name := range []string{"exports", "../x", "", "a/b", "."} {
		if _, err := s.Recorder(name, nil); !errors.Is(err, ErrBadStream) {
			t.Errorf("%q: %v", name, err)
		}
	}
}
