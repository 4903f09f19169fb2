package record

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"framecast/internal/testclip"
)

// record14s records 14 s of a 320×240 stream at 30 fps in segments of 5 s
// and closes the recorder: three segments, from frames 0, 180 and 360.
func record14s(t *testing.T) *Store {
	t.Helper()
	s := openStore(t, Options{Segment: 5 * time.Second})
	r, err := s.Recorder("line-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	feed(r, encoded(t, 320, 240, 120), 320, 240, t0, 0, 420, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSegmentsAreNamedByStartAndPlay(t *testing.T) {
	s := record14s(t)
	want := []struct {
		first, frames int
	}{{0, 180}, {180, 180}, {360, 60}}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "line-1", "*.mp4"))
	if len(paths) != len(want) {
		t.Fatalf("segments %v, want %d", paths, len(want))
	}
	for i, w := range want {
		name := frameTime(t0, w.first).Truncate(time.Millisecond).Format(nameLayout) + ".mp4"
		if filepath.Base(paths[i]) != name {
			t.Errorf("segment %d is %s, want %s", i, filepath.Base(paths[i]), name)
		}
		p := testclip.ProbeMP4(t, paths[i])
		if p.Codec != "h264" || p.W != 320 || p.H != 240 || p.Frames != w.frames {
			t.Errorf("segment %d: %+v, want h264 320x240 with %d frames", i, p, w.frames)
		}
		if !within(p.Duration, time.Duration(w.frames)*frameDur, frameDur) {
			t.Errorf("segment %d lasts %v, want %v", i, p.Duration, time.Duration(w.frames)*frameDur)
		}
	}
	spans := s.Spans("line-1")
	if len(spans) != 1 || !spans[0].Start.Equal(t0.Truncate(time.Millisecond)) || !within(spans[0].End.Sub(frameTime(t0, 420)), 0, time.Millisecond) {
		t.Errorf("spans %v, want one from %v to %v", spans, t0, frameTime(t0, 420))
	}
	if got := s.Spans("line-2"); len(got) != 0 {
		t.Errorf("a stream never recorded has spans %v", got)
	}
}

func TestClips(t *testing.T) {
	s := record14s(t)
	cases := []struct {
		name          string
		start         time.Time
		d             time.Duration
		first, frames int
	}{
		{"a clip starts at the keyframe before start and spans two segments", frameTime(t0, 100), 5 * time.Second, 60, 150},
		{"a clip starting at a keyframe starts there", frameTime(t0, 120), time.Second, 120, 30},
		{"a clip starting before the recording starts at its first keyframe", t0.Add(-10 * time.Second), 12 * time.Second, 0, 360},
		{"a clip asked past the recording's end ends with it", frameTime(t0, 400), 10 * time.Second, 360, 60},
		{"a keyframe more than the duration before start gives that duration from it", frameTime(t0, 110), time.Second, 60, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.Clip("line-1", tc.start, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if !within(c.Start().Sub(frameTime(t0, tc.first)), 0, 20*time.Microsecond) {
				t.Errorf("starts at %v, want frame %d at %v", c.Start(), tc.first, frameTime(t0, tc.first))
			}
			want := time.Duration(tc.frames) * frameDur
			if !within(c.Duration(), want, frameDur) {
				t.Errorf("lasts %v, want %v", c.Duration(), want)
			}
			if name := "line-1-" + c.Start().UTC().Format(clipLayout) + ".mp4"; c.Name() != name {
				t.Errorf("named %s, want %s", c.Name(), name)
			}
			path := filepath.Join(t.TempDir(), c.Name())
			b, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != c.Size() {
				t.Errorf("read %d bytes of %d", len(b), c.Size())
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			p := testclip.ProbeMP4(t, path)
			if p.Codec != "h264" || p.W != 320 || p.H != 240 || p.Frames != tc.frames || !within(p.Duration, want, frameDur) {
				t.Errorf("ffprobe: %+v, want h264 320x240, %d frames, %v", p, tc.frames, want)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		start time.Time
		d     time.Duration
		want  error
	}{
		{"nothing was recorded after the recording", frameTime(t0, 500), 5 * time.Second, ErrNoRecording},
		{"nothing was recorded before it", t0.Add(-10 * time.Second), 5 * time.Second, ErrNoRecording},
		{"a zero duration", t0, 0, ErrBadDuration},
		{"a negative duration", t0, -time.Second, ErrBadDuration},
		{"over an hour", t0, time.Hour + time.Second, ErrTooLong},
	} {
		t.Run("no clip: "+tc.name, func(t *testing.T) {
			c, err := s.Clip("line-1", tc.start, tc.d)
			if !errors.Is(err, tc.want) {
				if c != nil {
					c.Close()
				}
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := s.Clip("line-1", frameTime(t0, 500), 5*time.Second); !strings.Contains(err.Error(), "nothing was recorded between 2026-12-06T14:03:21.790Z and 2026-12-06T14:03:26.790Z") {
		t.Errorf("the error does not name the span: %v", err)
	}
}

func TestClipServesRangesAndExports(t *testing.T) {
	s := record14s(t)
	c, err := s.Clip("line-1", frameTime(t0, 30), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(io.NewSectionReader(c, 0, c.Size()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, c.Name(), time.Time{}, c)
	}))
	defer srv.Close()
	defer c.Close()
	// A range across the header and the first samples, and one at the end.
	for _, rg := range [][2]int64{{100, int64(len(c.header)) + 5000}, {c.Size() - 777, c.Size() - 1}} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Range", "bytes="+strconv.FormatInt(rg[0], 10)+"-"+strconv.FormatInt(rg[1], 10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || string(b) != string(whole[rg[0]:rg[1]+1]) {
			t.Errorf("range %v: %d, %d bytes, not the clip's", rg, resp.StatusCode, len(b))
		}
	}

	first, err := s.Export("line-1", frameTime(t0, 30), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Export("line-1", frameTime(t0, 30), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(s.o.Dir, "exports", c.Name())
	if first != want || second != strings.TrimSuffix(want, ".mp4")+"-2.mp4" {
		t.Errorf("exported to %s and %s, want %s and its -2", first, second, want)
	}
	if b, _ := os.ReadFile(first); string(b) != string(whole) {
		t.Errorf("the export is not the clip")
	}
	if p := testclip.ProbeMP4(t, first); p.Frames != 90 {
		t.Errorf("the export has %d frames, want 90", p.Frames)
	}
}

func TestANewSizeStartsASegmentAndEndsAClip(t *testing.T) {
	s := openStore(t, Options{})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	feed(r, encoded(t, 320, 240, 120), 320, 240, t0, 0, 120, nil)
	feed(r, encoded(t, 160, 120, 60), 160, 120, t0, 120, 180, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(s.o.Dir, "cam", "*.mp4"))
	if len(paths) != 2 {
		t.Fatalf("segments %v, want 2", paths)
	}
	if p := testclip.ProbeMP4(t, paths[1]); p.W != 160 || p.H != 120 || p.Frames != 60 {
		t.Errorf("the second segment: %+v", p)
	}
	if spans := s.Spans("cam"); len(spans) != 1 {
		t.Errorf("spans %v, want one", spans)
	}
	c, err := s.Clip("cam", frameTime(t0, 60), 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !within(c.Duration(), 2*time.Second, frameDur) {
		t.Errorf("a clip over the size change lasts %v, want the 2 s before it", c.Duration())
	}
}

// A frame captured late (a busy machine) at a clip's end shows until the
// end asked, not past it: the clip is as long as asked.
func TestALateFrameDoesNotLengthenAClip(t *testing.T) {
	s := openStore(t, Options{})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		t.Fatal(err)
	}
	units := encoded(t, 320, 240, 120)
	feed(r, units, 320, 240, t0, 0, 60, nil)
	// 150 ms late from frame 60 on: frame 59 shows for 183 ms.
	feed(r, units, 320, 240, t0.Add(150*time.Millisecond), 60, 120, nil)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	want := 2*time.Second + 50*time.Millisecond // ends in frame 59's 183 ms
	c, err := s.Clip("cam", frameTime(t0, 0), want)
	if err != nil {
		t.Fatal(err)
	}
	if !within(c.Duration(), want, time.Millisecond) {
		t.Fatalf("the clip lasts %v, want %v", c.Duration(), want)
	}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, c); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c.Close()
	if p := testclip.ProbeMP4(t, path); p.Frames != 60 || !within(p.Duration, want, time.Millisecond) {
		t.Fatalf("ffprobe: %d frames, %v; want 60 frames, %v", p.Frames, p.Duration, want)
	}
}
