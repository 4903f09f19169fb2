package record

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"framecast/backend/protocol"
	"framecast/internal/testclip"
)

// motion is a detection on every frame, and a person on every tenth.
func motion(i int) []protocol.Detection {
	d := []protocol.Detection{{Label: "motion", Score: float64(50+i%50) / 100, Box: [4]int{i, 2, 30, 40}}}
	if i%10 == 0 {
		d = append(d, protocol.Detection{Label: "person", Score: 0.9, Box: [4]int{5, 6, 7, 8}})
	}
	return d
}

func TestOpenRepairsASegmentCutAnywhere(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	feed(r, encoded(t, 320, 240, 120), 320, 240, t0, 0, 120, motion)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	name := t0.Truncate(time.Millisecond).Format(nameLayout)
	mp4Data, err := os.ReadFile(filepath.Join(dir, "cam", name+".mp4"))
	if err != nil {
		t.Fatal(err)
	}
	detData, err := os.ReadFile(filepath.Join(dir, "cam", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// Where each fragment ends in the file, and when.
	f, _ := os.Open(filepath.Join(dir, "cam", name+".mp4"))
	_, initEnd, err := readInit(f, int64(len(mp4Data)))
	if err != nil {
		t.Fatal(err)
	}
	type cut struct {
		at  int64
		end int64 // ticks
	}
	var frags []cut
	walkFragments(f, initEnd, int64(len(mp4Data)), false, func(fr fragment) bool {
		frags = append(frags, cut{fr.fileEnd, fr.end})
		return true
	})
	f.Close()
	if len(frags) < 6 {
		t.Fatalf("4 s in %d fragments, want one each 500 ms", len(frags))
	}
	offsets := []int64{0, 7, 30, initEnd - 1, initEnd, initEnd + 5, frags[0].at - 1, frags[0].at, frags[2].at, frags[2].at + 8, int64(len(mp4Data)) - 1}
	rnd := rand.New(rand.NewPCG(25, 1))
	for range 10 {
		offsets = append(offsets, initEnd+rnd.Int64N(int64(len(mp4Data))-initEnd))
	}
	for _, off := range offsets {
		t.Run("cut at "+strconv.FormatInt(off, 10), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "cam"), 0o755); err != nil {
				t.Fatal(err)
			}
			mp4Path, detPath := filepath.Join(dir, "cam", name+".mp4"), filepath.Join(dir, "cam", name+".jsonl")
			// What a kill leaves: the segment cut, its detections whole
			// and a line begun.
			if err := os.WriteFile(mp4Path, mp4Data[:off], 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(detPath, append(append([]byte(nil), detData...), `{"ts":17650296`...), 0o644); err != nil {
				t.Fatal(err)
			}
			keep := cut{at: -1}
			for _, fr := range frags {
				if fr.at <= off {
					keep = fr
				}
			}
			s := openStore(t, Options{Dir: dir})
			st, err := os.Stat(mp4Path)
			if keep.at < 0 {
				if err == nil || len(s.Spans("cam")) != 0 {
					t.Fatalf("a segment without a whole fragment is still there")
				}
				if _, err := os.Stat(detPath); err == nil {
					t.Fatalf("the detections of a removed segment are still there")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() != keep.at {
				t.Fatalf("cut to %d bytes, want %d (the last whole fragment)", st.Size(), keep.at)
			}
			end := t0.Truncate(time.Millisecond).Add(ticksToDuration(keep.end))
			if spans := s.Spans("cam"); len(spans) != 1 || !spans[0].End.Equal(end) {
				t.Errorf("spans %v, want one to %v", spans, end)
			}
			frames := 0
			for i := range 120 {
				if frameTime(t0, i).Before(end) {
					frames = i + 1
				}
			}
			if p := testclip.ProbeMP4(t, mp4Path); p.Frames != frames {
				t.Errorf("%d frames after the repair, want %d", p.Frames, frames)
			}
			// Every line left is whole and before the end; no detection of
			// a frame kept is lost.
			df, err := os.Open(detPath)
			if err != nil {
				t.Fatal(err)
			}
			defer df.Close()
			lines := 0
			sc := bufio.NewScanner(df)
			for sc.Scan() {
				ts, ok := lineTS(sc.Bytes())
				if !ok || ts >= end.UnixMicro() {
					t.Fatalf("line %q left, the segment ends at %d", sc.Text(), end.UnixMicro())
				}
				lines++
			}
			want := frames + (frames+9)/10
			if lines != want {
				t.Errorf("%d detection lines left, want %d", lines, want)
			}
			// A new recorder appends a new segment beside it.
			r, err := s.Recorder("cam", nil)
			if err != nil {
				t.Fatal(err)
			}
			feed(r, encoded(t, 320, 240, 120), 320, 240, t0.Add(time.Minute), 0, 30, nil)
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if spans := s.Spans("cam"); len(spans) != 2 {
				t.Errorf("after recording again: spans %v, want 2", spans)
			}
		})
	}
}
