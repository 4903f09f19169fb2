package source

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestLinuxCamerasAreFoundWithTheirNames(t *testing.T) {
	dev, sys := t.TempDir(), t.TempDir()
	for _, n := range []string{"video0", "video2", "video-meta"} {
		if err := os.WriteFile(filepath.Join(dev, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(sys, "video0"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys, "video0", "name"), []byte("HD Webcam\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cams, err := linuxCameras(dev, sys)
	if err != nil {
		t.Fatal(err)
	}
	want := []Camera{{"camera:0", "HD Webcam (video0)"}, {"camera:2", "Camera 2"}}
	if fmt.Sprint(cams) != fmt.Sprint(want) {
		t.Fatalf("cameras %v, want %v", cams, want)
	}
	if cams, _ := linuxCameras(t.TempDir(), sys); cams == nil || len(cams) != 0 {
		t.Fatalf("no cameras gave %#v, want an empty list", cams)
	}
}
