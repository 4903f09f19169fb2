package source

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// Camera is a camera a person can pick.
type Camera struct {
	Spec string `json:"spec"` // "camera:N"
	Name string `json:"name"`
}

// Cameras lists the cameras found on this machine: /dev/video* on Linux,
// named as the kernel names them. Elsewhere it offers cameras 0 and 1,
// which OpenCV can try. An empty list is not an error.
func Cameras() ([]Camera, error) {
	if runtime.GOOS != "linux" {
		return []Camera{{Spec: cameraSpec(0), Name: "Camera 0"}, {Spec: cameraSpec(1), Name: "Camera 1"}}, nil
	}
	return linuxCameras("/dev", "/sys/class/video4linux")
}

func linuxCameras(devDir, sysDir string) ([]Camera, error) {
	paths, err := filepath.Glob(filepath.Join(devDir, "video*"))
	if err != nil {
		return nil, err
	}
	cams := []Camera{}
	for _, p := range paths {
		base := filepath.Base(p)
		n, err := strconv.Atoi(strings.TrimPrefix(base, "video"))
		if err != nil {
			continue
		}
		name := "Camera " + strconv.Itoa(n)
		if b, err := os.ReadFile(filepath.Join(sysDir, base, "name")); err == nil {
			name = strings.TrimSpace(string(b)) + " (" + base + ")"
		}
		cams = append(cams, Camera{Spec: cameraSpec(n), Name: name})
	}
	sort.Slice(cams, func(i, j int) bool { return cams[i].Spec < cams[j].Spec })
	return cams, nil
}

// cameraSpec is the spec of camera n, as Spec writes it.
func cameraSpec(n int) string { return Spec{Kind: KindCamera, Index: n}.String() }
