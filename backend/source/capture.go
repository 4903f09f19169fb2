package source

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// capture reads a camera, a file or a URL through OpenCV's VideoCapture.
type capture struct {
	name string
	vc   *gocv.VideoCapture
	// loop rewinds at the end (video files) instead of reporting ErrEnded.
	loop bool
	// pace keeps a file to its own frame rate; live sources pace themselves.
	pace pacer
}

// cameraAPIs maps the API names a spec may give to OpenCV's.
var cameraAPIs = map[string]gocv.VideoCaptureAPI{
	"":             gocv.VideoCaptureAny,
	"dshow":        gocv.VideoCaptureDshow,
	"msmf":         gocv.VideoCaptureMSMF,
	"v4l2":         gocv.VideoCaptureV4L2,
	"avfoundation": gocv.VideoCaptureAVFoundation,
}

func openCamera(index int, api string, opt Options) (Source, error) {
	name := Spec{Kind: KindCamera, Index: index, API: api}.String()
	if runtime.GOOS == "linux" && (api == "" || api == "v4l2") {
		// Cameras are /dev/videoN files there, so a missing one can be named
		// before OpenCV is asked (it would only print a warning).
		dev := fmt.Sprintf("/dev/video%d", index)
		if _, err := os.Stat(dev); err != nil {
			return nil, fmt.Errorf("open %s: no camera at %s", name, dev)
		}
	}
	vc, err := gocv.VideoCaptureDeviceWithAPI(index, cameraAPIs[api])
	if err == nil && !vc.IsOpened() {
		_ = vc.Close()
		err = errors.New("busy or not a capture device")
	}
	switch {
	case err != nil && api != "":
		return nil, fmt.Errorf("open %s: the camera could not be opened with the %s API (%w; or an API this system or its OpenCV does not have)", name, api, err)
	case err != nil:
		return nil, fmt.Errorf("open %s: the camera could not be opened (%w)", name, err)
	}
	// Asked, not promised: a camera gives the nearest size and rate it
	// has, and what it gives is what the stream measures and reports.
	vc.Set(gocv.VideoCaptureFrameWidth, float64(opt.Width))
	vc.Set(gocv.VideoCaptureFrameHeight, float64(opt.Height))
	vc.Set(gocv.VideoCaptureFPS, float64(opt.FPS))
	vc.Set(gocv.VideoCaptureBufferSize, 1) // keep latency low: no backlog of old frames
	return &capture{name: name, vc: vc}, nil
}

func openFile(path string) (Source, error) {
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		return nil, fmt.Errorf("open video file %q: %w", path, err)
	}
	if !vc.IsOpened() {
		_ = vc.Close()
		return nil, fmt.Errorf("open video file %q: not a video OpenCV can read", path)
	}
	fps := vc.Get(gocv.VideoCaptureFPS)
	if fps < 1 || fps > 240 {
		fps = 30
	}
	c := &capture{name: path, vc: vc, loop: true, pace: newPacer(fps)}
	probe := gocv.NewMat()
	defer probe.Close()
	if !vc.Read(&probe) || probe.Empty() {
		_ = vc.Close()
		return nil, fmt.Errorf("open video file %q: no frame could be decoded", path)
	}
	vc.Set(gocv.VideoCapturePosFrames, 0)
	return c, nil
}

// StallTimeout is how long a network source may send nothing before its
// read fails (and the stream shows NO SIGNAL and retries), once
// SetFFmpegStallTimeout has run. Without it, OpenCV would wait 30 s.
const StallTimeout = 5 * time.Second

// FFmpegOptionsEnv is the environment variable OpenCV's FFmpeg backend reads
// its capture options from ("key;value|key;value"), at every open.
const FFmpegOptionsEnv = "OPENCV_FFMPEG_CAPTURE_OPTIONS"

// SetFFmpegStallTimeout makes network sources fail after StallTimeout of
// silence, by setting FFmpegOptionsEnv, unless the person set their own
// FFmpeg capture options. The variable holds for the whole process, so the
// program calls this once at start, before it opens any source; opening a
// source never changes the environment. It is the only way in: gocv
// v0.31.0 cannot pass open parameters, and OpenCV takes its read timeout
// (CAP_PROP_READ_TIMEOUT_MSEC) only at open.
func SetFFmpegStallTimeout() error {
	if _, set := os.LookupEnv(FFmpegOptionsEnv); set {
		return nil
	}
	us := strconv.FormatInt(StallTimeout.Microseconds(), 10)
	if err := os.Setenv(FFmpegOptionsEnv, "rw_timeout;"+us+"|timeout;"+us); err != nil {
		return fmt.Errorf("set %s: %w", FFmpegOptionsEnv, err)
	}
	return nil
}

func openURL(url string) (Source, error) {
	// FFmpeg alone: the other backends OpenCV would try first only add
	// delay and noise for a network stream.
	vc, err := gocv.VideoCaptureFileWithAPI(url, gocv.VideoCaptureFFmpeg)
	if err != nil {
		return nil, fmt.Errorf("open stream %s: could not connect, or it is not a video stream FFmpeg can read", protocol.Redact(url))
	}
	if !vc.IsOpened() {
		_ = vc.Close()
		return nil, fmt.Errorf("open stream %s: OpenCV could not connect or read it", protocol.Redact(url))
	}
	// The name goes into read errors, which viewers see: no password.
	return &capture{name: protocol.Redact(url), vc: vc}, nil
}

func (c *capture) Read(dst *gocv.Mat) error {
	c.pace.wait()
	if c.vc.Read(dst) && !dst.Empty() {
		return nil
	}
	if c.loop {
		c.vc.Set(gocv.VideoCapturePosFrames, 0)
		if c.vc.Read(dst) && !dst.Empty() {
			return nil
		}
	}
	return fmt.Errorf("%s: %w", c.name, ErrEnded)
}

func (c *capture) Close() error { return c.vc.Close() }
