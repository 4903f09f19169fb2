// Package source opens the places frames come from: a synthetic test pattern,
// a camera, a video file, a network stream or a producer's frames sent to
// the server, all behind one small interface.
package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"gocv.io/x/gocv"
)

// ErrEnded is returned by Read when a live source stops giving frames (a
// camera unplugged, a network stream that ended). The caller may reopen it.
var ErrEnded = errors.New("source stopped giving frames")

// Source yields frames. Read blocks until the next frame is due and writes it
// into dst, which the caller owns. A Source is used by one goroutine at a time.
type Source interface {
	Read(dst *gocv.Mat) error
	Close() error
}

// Options are hints a source may use: the test pattern draws at this size and
// rate; a camera is asked for them; a still picture is shown at this rate.
// They are taken at open: see Reopen.
type Options struct {
	Width, Height int
	FPS           int
}

// DefaultOptions are 1280×720 at 30 fps: a function, so no caller can change them for everyone.
func DefaultOptions() Options { return Options{Width: 1280, Height: 720, FPS: 30} }

// withDefaults fills what opt leaves unset (zero or less) with DefaultOptions.
func (opt Options) withDefaults() Options {
	if opt.Width <= 0 || opt.Height <= 0 {
		opt.Width, opt.Height = DefaultOptions().Width, DefaultOptions().Height
	}
	if opt.FPS <= 0 {
		opt.FPS = DefaultOptions().FPS
	}
	return opt
}

// Reopen reports whether a source opened from spec with the options was must
// be opened again to honour now. The test pattern and a camera take their
// size and rate from Options, a still picture its rate; a video file or a
// network stream has its own, and reopening it would only interrupt it.
func Reopen(spec Spec, was, now Options) bool {
	was, now = was.withDefaults(), now.withDefaults()
	switch {
	case spec.Kind == KindTest || spec.Kind == KindCamera:
		return was != now
	case spec.Kind == KindFile && isImage(spec.Path):
		return was.FPS != now.FPS
	}
	return false
}

// Open opens the source that spec names. The error names the source and says
// why it could not be opened.
func Open(spec Spec, opt Options) (Source, error) {
	opt = opt.withDefaults()
	switch spec.Kind {
	case KindTest:
		return newPattern(opt), nil
	case KindCamera:
		return openCamera(spec.Index, spec.API, opt)
	case KindFile:
		if _, err := os.Stat(spec.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("source file %s does not exist", spec.Path)
		} else if err != nil {
			return nil, fmt.Errorf("open %s %q: %w", fileKind(spec.Path), spec.Path, errors.Unwrap(err))
		}
		if isImage(spec.Path) {
			return openImage(spec.Path, opt.FPS)
		}
		return openFile(spec.Path)
	case KindURL:
		return openURL(spec.URL)
	case KindIngest:
		return nil, ErrNeedsFeed
	}
	return nil, fmt.Errorf("open source %q: unknown kind", spec.String())
}
