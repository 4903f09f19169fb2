package source

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Kind says what sort of source a Spec names.
type Kind int

// The kinds of source.
const (
	KindTest Kind = iota
	KindCamera
	KindFile
	KindURL
	// KindIngest is a producer's frames sent to the server's
	// /ingest/<name> (OpenIngest).
	KindIngest
)

// ErrEmptySpec is returned for an empty source spec.
var ErrEmptySpec = errors.New("empty source")

// Spec names a source, as a person writes it: "test", "camera:0" (with
// "?api=dshow" and the like to choose the camera API), a file path, an
// rtsp://, http:// or https:// URL, or "ingest" (a producer's frames).
type Spec struct {
	Kind  Kind
	Index int    // camera index, for KindCamera
	API   string // camera API, for KindCamera: one of cameraAPINames; "" lets OpenCV choose
	Path  string // for KindFile
	URL   string // for KindURL
}

// cameraAPINames are the camera APIs a spec may name: DirectShow and Media
// Foundation on Windows, V4L2 on Linux, AVFoundation on macOS. "any" lets
// OpenCV choose, as no api= does.
var cameraAPINames = []string{"dshow", "msmf", "v4l2", "avfoundation", "any"}

// ParseSpec reads a source spec.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Spec{}, ErrEmptySpec
	case s == "test":
		return Spec{Kind: KindTest}, nil
	case s == "ingest":
		return Spec{Kind: KindIngest}, nil
	case strings.HasPrefix(s, "camera:"):
		return parseCamera(s)
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return Spec{}, fmt.Errorf("source %q: %w", s, err)
		}
		switch u.Scheme {
		case "rtsp", "rtsps", "http", "https":
		default:
			return Spec{}, fmt.Errorf("source %q: unsupported scheme %q (use rtsp, http or https)", s, u.Scheme)
		}
		if u.Host == "" {
			return Spec{}, fmt.Errorf("source %q: URL has no host", s)
		}
		return Spec{Kind: KindURL, URL: s}, nil
	}
	return Spec{Kind: KindFile, Path: s}, nil
}

// parseCamera reads "camera:N" and "camera:N?api=NAME".
func parseCamera(s string) (Spec, error) {
	index, query, _ := strings.Cut(strings.TrimPrefix(s, "camera:"), "?")
	n, err := strconv.Atoi(index)
	if err != nil || n < 0 || n > 255 {
		return Spec{}, fmt.Errorf("source %q: camera index must be a number from 0 to 255", s)
	}
	spec := Spec{Kind: KindCamera, Index: n}
	if query == "" {
		return spec, nil
	}
	q, err := url.ParseQuery(query)
	if err != nil || len(q) != 1 || len(q["api"]) != 1 {
		return Spec{}, fmt.Errorf("source %q: after camera:N only ?api=NAME may follow", s)
	}
	api := strings.ToLower(q.Get("api"))
	if !slices.Contains(cameraAPINames, api) {
		return Spec{}, fmt.Errorf("source %q: camera API %q is not one of %s", s, q.Get("api"), strings.Join(cameraAPINames, ", "))
	}
	if api != "any" {
		spec.API = api
	}
	return spec, nil
}

// String gives the spec back in the form ParseSpec reads.
func (s Spec) String() string {
	switch s.Kind {
	case KindTest:
		return "test"
	case KindCamera:
		if s.API != "" {
			return "camera:" + strconv.Itoa(s.Index) + "?api=" + s.API
		}
		return "camera:" + strconv.Itoa(s.Index)
	case KindURL:
		return s.URL
	case KindIngest:
		return "ingest"
	}
	return s.Path
}

// Live reports whether the source can drop and come back (a camera, a
// network stream or a producer), as opposed to one that is always there.
func (s Spec) Live() bool { return s.Kind == KindCamera || s.Kind == KindURL || s.Kind == KindIngest }
