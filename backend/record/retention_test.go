package record

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests set.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// threeSegments records 3 s at t0, t0+10m and t0+20m and leaves the third
// segment open; it returns the segments' paths, oldest first.
func threeSegments(t *testing.T, s *Store) (*Recorder, []string) {
	t.Helper()
	s.idle = time.Hour // the last segment stays open
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	for k := range 3 {
		feed(r, units, 320, 240, t0.Add(time.Duration(k)*10*time.Minute), 0, 90, motion)
	}
	// The third segment's first fragment is on disk within Fragment.
	for len(s.Spans("cam")) < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "cam", "*.mp4"))
	if len(paths) != 3 {
		t.Fatalf("segments %v", paths)
	}
	return r, paths
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestRetentionByAgeKeepsTheOpenSegmentAndExports(t *testing.T) {
	clock := &fakeClock{now: t0}
	s := openStore(t, Options{Keep: 15 * time.Minute, Now: clock.Now})
	r, paths := threeSegments(t, s)
	defer r.Close()
	export, err := s.Export("cam", t0, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		now  time.Time
		kept []bool
	}{
		{t0.Add(15*time.Minute + 2*time.Second), []bool{true, true, true}},  // the first ended 15 min ago, less 1 s
		{t0.Add(15*time.Minute + 4*time.Second), []bool{false, true, true}}, // …and more
		{t0.Add(10 * time.Hour), []bool{false, false, true}},                // the open one stays
	}
	for _, step := range steps {
		clock.set(step.now)
		s.retain()
		for i, want := range step.kept {
			if exists(paths[i]) != want || exists(paths[i][:len(paths[i])-4]+".jsonl") != want {
				t.Errorf("at %v segment %d kept: %v, want %v", step.now, i, !want, want)
			}
		}
	}
	if spans := s.Spans("cam"); len(spans) != 1 {
		t.Errorf("spans %v, want the open segment's", spans)
	}
	if !exists(export) {
		t.Errorf("retention deleted an export")
	}
}

func TestRetentionBySizeDeletesTheOldestFirst(t *testing.T) {
	s := openStore(t, Options{})
	r, paths := threeSegments(t, s)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	export, err := s.Export("cam", t0, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	size := func(p string) int64 {
		var n int64
		for _, ext := range []string{".mp4", ".jsonl"} {
			st, err := os.Stat(p[:len(p)-4] + ext)
			if err != nil {
				t.Fatal(err)
			}
			n += st.Size()
		}
		return n
	}
	setMax := func(n int64) {
		s.mu.Lock()
		s.o.MaxSize = n
		s.mu.Unlock()
	}
	setMax(size(paths[1]) + size(paths[2]))
	s.retain()
	if exists(paths[0]) || !exists(paths[1]) || !exists(paths[2]) {
		t.Errorf("with room for two segments: kept %v %v %v, want the two newest", exists(paths[0]), exists(paths[1]), exists(paths[2]))
	}
	setMax(1)
	s.retain()
	if exists(paths[1]) || exists(paths[2]) {
		t.Errorf("over the size, closed segments are left")
	}
	if !exists(export) {
		t.Errorf("retention deleted an export")
	}
}
