package record

import (
	"errors"
	"path/filepath"
	"testing"
)

// A second store on a folder being recorded into (a second serve, or the
// desktop app, given the same folder) is refused before it touches
// anything: its Open would repair the first's open segment, and its
// retention delete the first's files.
func TestASecondStoreOnAFolderIsRefusedAndTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	first := openStore(t, Options{Dir: dir})
	r, err := first.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 60)
	feed(r, units, 320, 240, t0, 0, 30, motion)

	if s, err := Open(Options{Dir: dir}); !errors.Is(err, ErrInUse) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("a second store on a folder in use: %v, want ErrInUse", err)
	}
	// The first goes on recording, and its segment has every frame (a
	// repair by the second would have cut the open segment short).
	feed(r, units, 320, 240, t0, 30, 60, motion)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "cam", "*.mp4"))
	if len(segs) != 1 || onDisk(t, segs[0]) != 60 {
		t.Fatalf("segments %v, want one of 60 frames", segs)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("the folder once the first store closed: %v", err)
	}
	defer second.Close()
	if spans := second.Spans("cam"); len(spans) != 1 {
		t.Fatalf("the second store sees %d spans, want the first's one", len(spans))
	}
}
