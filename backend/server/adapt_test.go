package server

import (
	"slices"
	"testing"
	"time"

	"framecast/backend/protocol"
)

// feed runs an adapter for d in steps of adaptEvery, the viewer skipping
// share of 30 frames a second; it returns the rendition at the end and how
// often it changed.
func feed(a *adapter, now *time.Time, sent, drops *uint64, d time.Duration, share float64) (string, int) {
	changes := 0
	key := a.levels[a.level]
	for end := now.Add(d); now.Before(end); {
		*now = now.Add(adaptEvery)
		offered := uint64(15)
		skipped := uint64(float64(offered) * share)
		*sent += offered - skipped
		*drops += skipped
		var changed bool
		if key, changed = a.observe(*now, *sent, *drops); changed {
			changes++
		}
	}
	return key, changes
}

func TestAViewerThatSkipsFramesMovesDownAndProbesBackUpCarefully(t *testing.T) {
	now := time.Unix(1000, 0)
	var sent, drops uint64
	a := newAdapter([]string{"", "360p", "240p", "180p"}, now, badShare)
	if key, n := feed(a, &now, &sent, &drops, 3*time.Second, 0.02); key != "" || n != 0 {
		t.Fatalf("a viewer that keeps up moved to %q (%d changes)", key, n)
	}
	// A link that carries a quarter of the stream: down, one step at a time.
	if key, _ := feed(a, &now, &sent, &drops, 1500*time.Millisecond, 0.75); key != "360p" {
		t.Fatalf("after 1.5 s of skipping 3 frames in 4: %q, want 360p", key)
	}
	if key, _ := feed(a, &now, &sent, &drops, 1500*time.Millisecond, 0.5); key != "240p" {
		t.Fatalf("still skipping half: %q, want 240p", key)
	}
	// 240p fits: it stays there until the probe, which fails at once.
	if key, n := feed(a, &now, &sent, &drops, probeFirst-time.Second, 0); key != "240p" || n != 0 {
		t.Fatalf("before the first probe: %q, %d changes", key, n)
	}
	if key, _ := feed(a, &now, &sent, &drops, 2*time.Second, 0); key != "360p" {
		t.Fatalf("after a quiet %v no probe: %q", probeFirst, key)
	}
	if key, _ := feed(a, &now, &sent, &drops, adaptEvery, 0.5); key != "240p" {
		t.Fatalf("a failed probe stayed at %q", key)
	}
	// The next probe waits twice as long: no oscillation.
	if _, n := feed(a, &now, &sent, &drops, 2*probeFirst-time.Second, 0); n != 0 {
		t.Fatalf("%d changes within twice the first wait after a failed probe", n)
	}
	if key, _ := feed(a, &now, &sent, &drops, 2*time.Second, 0); key != "360p" {
		t.Fatalf("no second probe: %q", key)
	}
	// This time the link has room: the probe holds, and the next one goes up.
	if key, _ := feed(a, &now, &sent, &drops, probeSurvive+probeFirst+time.Second, 0); key != "" {
		t.Fatalf("with room, the viewer ended at %q, want the full size", key)
	}
}

func TestOneSizeOrAPinnedViewerNeverMoves(t *testing.T) {
	now := time.Unix(1000, 0)
	var sent, drops uint64
	a := newAdapter([]string{""}, now, badShare)
	if key, n := feed(a, &now, &sent, &drops, 10*time.Second, 0.9); key != "" || n != 0 {
		t.Fatalf("one size: %q, %d changes", key, n)
	}
}

func TestAViewerAdaptsBetweenTheKeysOfItsCodecAndPin(t *testing.T) {
	ladder := protocol.DefaultRenditions()
	ladder = append([]protocol.Rendition{{Name: "720p", W: 1280, H: 720, Quality: 80}}, ladder...)
	cases := []struct {
		name   string
		codec  string
		pinned string // "-": auto
		steps  bool   // the stream makes lower bitrate steps
		want   []string
	}{
		{"a JPEG viewer moves between sizes", protocol.CodecJPEG, "-", true, []string{"", "360p", "240p", "180p"}},
		{"an H.264 viewer steps to the lower bitrate before each smaller size", protocol.CodecH264, "-", true,
			[]string{"@h264", "@h264+low", "360p@h264", "360p@h264+low", "240p@h264", "240p@h264+low", "180p@h264", "180p@h264+low"}},
		{"an H.264 viewer that pinned a size keeps it and steps its bitrate", protocol.CodecH264, "360p", true, []string{"360p@h264", "360p@h264+low"}},
		{"a JPEG viewer that pinned a size has nothing to move between", protocol.CodecJPEG, "360p", true, []string{"360p"}},
		{"on a stream with no bitrate steps (a relay's) an H.264 viewer moves between sizes", protocol.CodecH264, "-", false,
			[]string{"@h264", "360p@h264", "240p@h264", "180p@h264"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &wsViewer{codec: c.codec}
			ours := ""
			if c.pinned != "-" {
				v.out.pinned, ours = true, c.pinned
			}
			if got := v.levels(ladder, ours, c.steps); !slices.Equal(got, c.want) {
				t.Fatalf("levels %q, want %q", got, c.want)
			}
		})
	}
}

func TestAnH264ViewerSkippingAFifthOfItsFramesStepsDownWhereAJPEGOneStays(t *testing.T) {
	cases := []struct {
		name   string
		levels []string
		bad    float64
		want   string
	}{
		{"a JPEG viewer at 24 fps keeps its size", []string{"", "360p"}, badShare, ""},
		{"an H.264 viewer at 24 fps takes half the bitrate", []string{"@h264", "@h264+low"}, badShareH264, "@h264+low"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := time.Unix(1000, 0)
			var sent, drops uint64
			a := newAdapter(c.levels, now, c.bad)
			if key, _ := feed(a, &now, &sent, &drops, 2*time.Second, 0.2); key != c.want {
				t.Fatalf("after 2 s of skipping a fifth of its frames: %q, want %q", key, c.want)
			}
		})
	}
}
