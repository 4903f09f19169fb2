package testclip

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ProbeH264 writes an H.264 stream (Annex B access units, in order) to a
// file of t's, fails the test unless ffmpeg decodes every frame of it
// without an error, and returns what ffprobe says of its video stream:
// codec_name, profile, width, height, nb_read_frames, color_space,
// color_range, color_primaries. ffmpeg and ffprobe are Debian's ffmpeg
// (make deps installs it).
func ProbeH264(t testing.TB, units ...[]byte) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stream.h264")
	if err := os.WriteFile(path, bytes.Join(units, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", path, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg decoding the stream: %v\n%s", err, out)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,profile,width,height,nb_read_frames,color_space,color_range,color_primaries",
		"-of", "default=noprint_wrappers=1", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	got := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			got[k] = v
		}
	}
	return got
}

// MP4 is what ffprobe says of a file's first video stream (ProbeMP4).
type MP4 struct {
	Codec    string
	W, H     int
	Frames   int
	Duration time.Duration
}

// ProbeMP4 fails the test unless ffmpeg decodes every frame of the file
// (an MP4, a recording's segment or clip) without an error, at its own
// times, and its packets' decode times only grow; it returns what ffprobe
// says of it.
func ProbeMP4(t testing.TB, path string) MP4 {
	t.Helper()
	// The null muxer's time base is the frame rate's unless told; a
	// recording's frames come when they come.
	if out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", path, "-enc_time_base", "-1", "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg decoding %s: %v\n%s", path, err, out)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	last := int64(-1)
	for line := range strings.Lines(string(out)) {
		dts, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		if err != nil || dts <= last {
			t.Fatalf("%s: packet dts %q after %d", path, strings.TrimSpace(line), last)
		}
		last = dts
	}
	out, err = exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			Frames    string `json:"nb_read_frames"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &p); err != nil || len(p.Streams) != 1 {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	s := p.Streams[0]
	frames, _ := strconv.Atoi(s.Frames)
	secs, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil {
		t.Fatalf("ffprobe %s: duration %q", path, p.Format.Duration)
	}
	return MP4{Codec: s.CodecName, W: s.Width, H: s.Height, Frames: frames, Duration: time.Duration(secs * float64(time.Second))}
}
