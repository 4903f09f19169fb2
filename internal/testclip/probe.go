package testclip

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
