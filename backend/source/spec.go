package source

import (
	"errors"
	"fmt"
	"net/url"
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
)

// ErrEmptySpec is returned for an empty source spec.
var ErrEmptySpec = errors.New("empty source")

// Spec names a source, as a person writes it: "test", "camera:0", a file
// path, or an rtsp://, http:// or https:// URL.
type Spec struct {
	Kind  Kind
	Index int    // camera index, for KindCamera
	Path  string // for KindFile
	URL   string // for KindURL
}

// ParseSpec reads a source spec.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Spec{}, ErrEmptySpec
	case s == "test":
		return Spec{Kind: KindTest}, nil
	case strings.HasPrefix(s, "camera:"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "camera:"))
		if err != nil || n < 0 || n > 255 {
			return Spec{}, fmt.Errorf("source %q: camera index must be a number from 0 to 255", s)
		}
		return Spec{Kind: KindCamera, Index: n}, nil
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

// String gives the spec back in the form ParseSpec reads.
func (s Spec) String() string {
	switch s.Kind {
	case KindTest:
		return "test"
	case KindCamera:
		return "camera:" + strconv.Itoa(s.Index)
	case KindURL:
		return s.URL
	}
	return s.Path
}

// Live reports whether the source can drop and come back (a camera or a
// network stream), as opposed to one that is always there.
func (s Spec) Live() bool { return s.Kind == KindCamera || s.Kind == KindURL }
