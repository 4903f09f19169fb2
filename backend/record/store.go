package record

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"framecast/backend/protocol"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
)

// Store is a folder of recordings: every stream's segments, the recorders
// writing them, and retention.
type Store struct {
	o   Options // read-only after Open (tests change Keep and MaxSize under mu)
	log *slog.Logger
	// create makes a segment's or detection file's file: os.OpenFile by
	// default; tests put a failing one in.
	create func(path string) (segFile, error)
	// retry is how long a recorder stopped by a write error waits.
	retry time.Duration
	// idle is how long a recorder keeps its segment open with no frame
	// coming: gapAfter.
	idle time.Duration

	mu        sync.Mutex            // guards the fields below and every segment's mutable fields
	streams   map[string][]*segment // each stream's segments, by start
	recorders map[string]*Recorder  // open recorders, by stream
	closed    bool

	lock *os.File // held from Open to Close (lockDir)

	wake chan struct{} // asks retention to run now; capacity 1
	stop chan struct{} // closed by Close
	done chan struct{} // closed when retention's goroutine ends
}

// segment is one segment file and its detections, as the store knows it.
type segment struct {
	name  string    // file name without extension: its start
	start time.Time // from the name

	// Guarded by Store.mu; a recorder updates them after each fragment.
	end     time.Time // the end of its last complete fragment
	size    int64     // bytes of the .mp4 up to that fragment
	detSize int64     // bytes of the .jsonl up to that fragment
	frames  int       // samples up to that fragment
	open    bool      // a recorder is writing it
	params  *mp4.CodecH264
}

// segFile is a file a recorder appends to.
type segFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Close() error
}

func createFile(path string) (segFile, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
}

// Open opens the store at o.Dir (making it), repairs any segment a crash
// left, and starts retention, which runs now, after each segment closed
// and every minute. A folder another store has open is refused
// (ErrInUse) before anything in it is touched.
func Open(o Options) (*Store, error) {
	o.defaults()
	if o.Dir == "" {
		return nil, errors.New("record: no folder given")
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	lock, err := lockDir(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, exportsDir), 0o750); err != nil {
		lock.Close()
		return nil, fmt.Errorf("record: %w", err)
	}
	s := &Store{
		o: o, log: o.Log, create: createFile, retry: retryAfter, idle: gapAfter,
		streams: map[string][]*segment{}, recorders: map[string]*Recorder{}, lock: lock,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	if err := s.load(); err != nil {
		lock.Close()
		return nil, err
	}
	s.wake <- struct{}{}
	go s.retainLoop()
	return s, nil
}

// load reads every stream's folder, repairing segments on the way.
func (s *Store) load() error {
	dirs, err := os.ReadDir(s.o.Dir)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() || validStream(d.Name()) != nil {
			continue
		}
		segs, err := s.loadStream(d.Name())
		if err != nil {
			return err
		}
		if len(segs) > 0 {
			s.streams[d.Name()] = segs
		}
	}
	// An export cut short by a crash.
	tmps, _ := filepath.Glob(filepath.Join(s.o.Dir, exportsDir, "*.tmp"))
	for _, t := range tmps {
		_ = os.Remove(t)
	}
	return nil
}

func (s *Store) loadStream(stream string) ([]*segment, error) {
	dir := filepath.Join(s.o.Dir, stream)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	var segs []*segment
	for _, e := range entries {
		name, ext, _ := strings.Cut(e.Name(), ".mp4")
		start, perr := time.Parse(nameLayout, name)
		switch {
		case perr != nil || !e.Type().IsRegular():
			continue
		case ext == "":
			seg, err := repair(dir, name, s.log)
			if err != nil {
				return nil, err
			}
			if seg != nil {
				seg.start = start
				segs = append(segs, seg)
			}
		}
	}
	// Detections whose segment is gone.
	jsonls, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, j := range jsonls {
		if _, err := os.Stat(strings.TrimSuffix(j, ".jsonl") + ".mp4"); errors.Is(err, fs.ErrNotExist) {
			_ = os.Remove(j)
		}
	}
	slices.SortFunc(segs, func(a, b *segment) int { return a.start.Compare(b.start) })
	return segs, nil
}

// validStream says whether a stream's name can be its folder.
func validStream(stream string) error {
	if !protocol.ValidStreamName(stream) || stream == exportsDir {
		return fmt.Errorf("%w: %q (and %q is the exports' folder)", ErrBadStream, stream, exportsDir)
	}
	return nil
}

func (s *Store) segPath(stream string, seg *segment, ext string) string {
	return filepath.Join(s.o.Dir, stream, seg.name+ext)
}

// Close closes every recorder (writing what it holds) and stops retention.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	recs := make([]*Recorder, 0, len(s.recorders))
	for _, r := range s.recorders {
		recs = append(recs, r)
	}
	s.mu.Unlock()
	var errs []error
	for _, r := range recs {
		errs = append(errs, r.Close())
	}
	close(s.stop)
	<-s.done
	// Last: the folder is free once nothing writes into it.
	errs = append(errs, s.lock.Close())
	return errors.Join(errs...)
}

// Recorder opens the stream's recorder; a stream has one at a time.
// requestKey asks the stream's encoder for a keyframe: the recorder calls
// it when it starts and whenever it needs one to go on (after frames were
// skipped, a pause, or an error). It must not block; it is called from
// Write's caller and from the recorder's goroutine.
func (s *Store) Recorder(stream string, requestKey func()) (*Recorder, error) {
	if err := validStream(stream); err != nil {
		return nil, err
	}
	if requestKey == nil {
		requestKey = func() {}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if _, ok := s.recorders[stream]; ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrRecording, stream)
	}
	r := newRecorder(s, stream, requestKey)
	s.recorders[stream] = r
	s.mu.Unlock()
	requestKey()
	return r, nil
}

// Rename moves a stream's recordings to its new name; an open recorder's
// next segments go there too.
func (s *Store) Rename(old, new string) error {
	if err := validStream(new); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recorders[new]; ok {
		return fmt.Errorf("%w: %s", ErrRecording, new)
	}
	if len(s.streams[new]) > 0 {
		return fmt.Errorf("record: %s has recordings already", new)
	}
	from, to := filepath.Join(s.o.Dir, old), filepath.Join(s.o.Dir, new)
	_ = os.Remove(to) // an empty folder left behind
	if err := os.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("record: rename %s: %w", old, err)
	}
	if segs, ok := s.streams[old]; ok {
		delete(s.streams, old)
		s.streams[new] = segs
	}
	if r, ok := s.recorders[old]; ok {
		delete(s.recorders, old)
		s.recorders[new] = r
		r.stream = new
	}
	return nil
}

// joined says whether next follows prev without a gap: less than 1.5 of
// prev's frame intervals (or a second) after its end.
func joined(prev, next *segment) bool {
	gap := mergeGap
	if prev.frames > 0 {
		gap = min(gap, prev.end.Sub(prev.start)*3/2/time.Duration(prev.frames))
	}
	return next.start.Sub(prev.end) < gap
}

// Spans returns the stream's recorded spans, oldest first: segments that
// follow each other without a gap (see joined) make one span.
func (s *Store) Spans(stream string) []Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		spans []Span
		prev  *segment
	)
	for _, seg := range s.streams[stream] {
		if !seg.end.After(seg.start) {
			continue
		}
		if n := len(spans); n > 0 && joined(prev, seg) {
			prev = seg
			if seg.end.After(spans[n-1].End) {
				spans[n-1].End = seg.end
			}
			continue
		}
		prev = seg
		spans = append(spans, Span{Start: seg.start, End: seg.end})
	}
	return spans
}

// detectionFiles lists the detection files of the stream's segments that
// overlap [from, to).
func (s *Store) detectionFiles(stream string, from, to time.Time) ([]detectionFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var files []detectionFile
	for _, seg := range s.streams[stream] {
		if seg.start.Before(to) && seg.end.After(from) {
			files = append(files, detectionFile{path: s.segPath(stream, seg, ".jsonl"), size: seg.detSize})
		}
	}
	return files, nil
}

// addSegment puts a new segment of the stream in the index.
func (s *Store) addSegment(stream string, seg *segment) {
	segs := s.streams[stream]
	i, _ := slices.BinarySearchFunc(segs, seg, func(a, b *segment) int { return a.start.Compare(b.start) })
	s.streams[stream] = slices.Insert(segs, i, seg)
}

// dropSegment takes a segment out of the index.
func (s *Store) dropSegment(stream string, seg *segment) {
	segs := slices.DeleteFunc(s.streams[stream], func(x *segment) bool { return x == seg })
	if len(segs) == 0 {
		delete(s.streams, stream)
		return
	}
	s.streams[stream] = segs
}

// streamOf returns the stream a segment belongs to now (a rename may have
// moved it).
func (s *Store) streamOf(seg *segment) (string, bool) {
	for stream, segs := range s.streams {
		if slices.Contains(segs, seg) {
			return stream, true
		}
	}
	return "", false
}

// retainSoon asks retention to run.
func (s *Store) retainSoon() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
