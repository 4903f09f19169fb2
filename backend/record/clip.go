package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"
)

// Clip is a playable progressive MP4 (ftyp, moov, mdat) of a stretch of a
// stream's recording, read from its segments: its header is in memory, its
// samples are read from the segment files as they are read. It is an
// io.ReadSeeker, for http.ServeContent. It is used by one goroutine at a
// time.
type Clip struct {
	name    string
	start   time.Time
	dur     time.Duration
	header  []byte      // ftyp, moov and mdat's header
	samples []clipChunk // in the order of the mdat
	files   []*os.File  // the segments read
	size    int64
	pos     int64
}

// clipChunk is one sample: where it is in the clip and in its segment.
type clipChunk struct {
	at   int64 // in the clip
	file int   // in Clip.files
	off  int64 // in the file
	size uint32
}

// clipSegment is a segment a clip reads, as the index said when it started.
type clipSegment struct {
	f      *os.File
	start  time.Time
	size   int64
	params *mp4.CodecH264
}

// Clip makes a clip of the stream from the keyframe at or before start (or
// the first one after it, when start falls where nothing was recorded), d
// long (±1 frame) from there. It ends early where the recording has a gap or
// the picture's size changes. ErrNoRecording says nothing was recorded
// between start and start+d.
func (s *Store) Clip(stream string, start time.Time, d time.Duration) (*Clip, error) {
	switch {
	case d <= 0:
		return nil, ErrBadDuration
	case d > MaxClip:
		return nil, ErrTooLong
	}
	segs, err := s.clipSegments(stream, start, d)
	if err != nil {
		return nil, err
	}
	c := &Clip{}
	for _, cs := range segs {
		c.files = append(c.files, cs.f)
	}
	if err := c.build(segs, start, d); err != nil {
		_ = c.Close()
		return nil, err
	}
	c.name = stream + "-" + c.start.UTC().Format(clipLayout) + ".mp4"
	return c, nil
}

func noRecording(start time.Time, d time.Duration) error {
	const layout = "2006-01-02T15:04:05.000Z07:00"
	return fmt.Errorf("%w between %s and %s", ErrNoRecording, start.UTC().Format(layout), start.Add(d).UTC().Format(layout))
}

// clipSegments opens the segments a clip may read: the one holding start
// (or the first starting before start+d), then those following it without a
// gap and with the same SPS and PPS.
func (s *Store) clipSegments(stream string, start time.Time, d time.Duration) ([]clipSegment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	segs := s.streams[stream]
	first := -1
	for i, seg := range segs {
		if !seg.end.After(seg.start) || !seg.end.After(start) {
			continue
		}
		if seg.start.After(start) && !seg.start.Before(start.Add(d)) {
			break
		}
		first = i
		break
	}
	if first < 0 {
		return nil, noRecording(start, d)
	}
	from := start
	if segs[first].start.After(from) {
		from = segs[first].start
	}
	var out []clipSegment
	for i := first; i < len(segs); i++ {
		seg := segs[i]
		if i > first {
			prev := segs[i-1]
			if !seg.start.Before(from.Add(d)) || !joined(prev, seg) || !seg.end.After(seg.start) ||
				!bytes.Equal(seg.params.SPS, prev.params.SPS) || !bytes.Equal(seg.params.PPS, prev.params.PPS) {
				break
			}
		}
		f, err := os.Open(s.segPath(stream, seg, ".mp4"))
		if err != nil {
			for _, cs := range out {
				_ = cs.f.Close()
			}
			return nil, fmt.Errorf("record: %w", err)
		}
		out = append(out, clipSegment{f: f, start: seg.start, size: seg.size, params: seg.params})
	}
	return out, nil
}

// build reads the segments' sample tables and lays the clip out.
func (c *Clip) build(segs []clipSegment, start time.Time, d time.Duration) error {
	base := segs[0].start
	startTicks := durationToTicks(start.Sub(base))
	var (
		picked  []sampleRef // dts in ticks from base
		files   []int
		endTick int64 = -1
	)
	for i, cs := range segs {
		_, initEnd, err := readInit(cs.f, cs.size)
		if err != nil {
			return fmt.Errorf("record: %s: %w", cs.f.Name(), err)
		}
		shift := durationToTicks(cs.start.Sub(base))
		done := false
		walkFragments(cs.f, initEnd, cs.size, true, func(fr fragment) bool {
			for _, sr := range fr.samples {
				sr.dts += shift
				if endTick < 0 {
					// Before the clip's first keyframe is known: keep the
					// frames from the last keyframe at or before start.
					if sr.sync && (sr.dts <= startTicks || len(picked) == 0) {
						picked, files = picked[:0], files[:0]
					}
					if sr.dts > startTicks && len(picked) > 0 {
						endTick = picked[0].dts + durationToTicks(d)
					} else {
						if len(picked) > 0 || sr.sync {
							picked, files = append(picked, sr), append(files, i)
						}
						continue
					}
				}
				if sr.dts >= endTick {
					done = true
					return false
				}
				picked, files = append(picked, sr), append(files, i)
			}
			return true
		})
		if done {
			break
		}
	}
	if len(picked) == 0 {
		return noRecording(start, d)
	}
	if endTick >= 0 {
		// Frames after start may have been kept before endTick was known.
		for len(picked) > 1 && picked[len(picked)-1].dts >= endTick {
			picked, files = picked[:len(picked)-1], files[:len(files)-1]
		}
	}

	track := &pmp4.Track{ID: 1, TimeScale: timeScale, Codec: segs[0].params}
	none := func() ([]byte, error) { return nil, nil }
	var total, ticks int64
	for i, sr := range picked {
		dur := int64(sr.dur)
		switch {
		case i+1 < len(picked):
			dur = max(1, picked[i+1].dts-sr.dts)
		case endTick >= 0:
			// The last frame shows until the clip's end, not past it: a
			// frame captured late (a busy machine) would make the clip
			// longer than asked.
			dur = max(1, min(dur, endTick-sr.dts))
		}
		ticks += dur
		total += int64(sr.size)
		track.Samples = append(track.Samples, &pmp4.Sample{Duration: uint32(dur), IsNonSyncSample: !sr.sync, PayloadSize: sr.size, GetPayload: none})
	}
	if total > math.MaxUint32-1<<20 {
		return fmt.Errorf("%w: its video is over 4 GB", ErrTooLong)
	}
	var hdr bytes.Buffer
	if err := (&pmp4.Presentation{Tracks: []*pmp4.Track{track}}).Marshal(&hdr); err != nil {
		return fmt.Errorf("record: clip: %w", err)
	}
	c.header = hdr.Bytes()
	at := int64(len(c.header))
	c.samples = make([]clipChunk, len(picked))
	for i, sr := range picked {
		c.samples[i] = clipChunk{at: at, file: files[i], off: sr.off, size: sr.size}
		at += int64(sr.size)
	}
	c.size = at
	c.start = base.Add(ticksToDuration(picked[0].dts))
	c.dur = ticksToDuration(ticks)
	return nil
}

func durationToTicks(d time.Duration) int64 {
	return int64(d / time.Microsecond * timeScale / 1e6)
}

// Name is the clip's file name: <stream>-<start, UTC, s>.mp4.
func (c *Clip) Name() string { return c.name }

// Start is the capture time of the clip's first frame.
func (c *Clip) Start() time.Time { return c.start }

// Duration is how long the clip plays.
func (c *Clip) Duration() time.Duration { return c.dur }

// Size is the clip's length in bytes.
func (c *Clip) Size() int64 { return c.size }

// ReadAt reads the clip's bytes at off.
func (c *Clip) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("record: negative offset")
	}
	n := 0
	for len(p) > 0 && off < c.size {
		var m int
		if off < int64(len(c.header)) {
			m = copy(p, c.header[off:])
		} else {
			i := sort.Search(len(c.samples), func(i int) bool { return c.samples[i].at > off }) - 1
			sc := c.samples[i]
			in := off - sc.at
			m = int(min(int64(len(p)), int64(sc.size)-in))
			if _, err := c.files[sc.file].ReadAt(p[:m], sc.off+in); err != nil {
				return n, fmt.Errorf("record: clip: %w", err)
			}
		}
		n += m
		off += int64(m)
		p = p[m:]
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// Read reads the clip from where Seek put it.
func (c *Clip) Read(p []byte) (int, error) {
	if c.pos >= c.size {
		return 0, io.EOF
	}
	n, err := c.ReadAt(p[:min(int64(len(p)), c.size-c.pos)], c.pos)
	c.pos += int64(n)
	return n, err
}

// Seek moves where Read reads.
func (c *Clip) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += c.pos
	case io.SeekEnd:
		offset += c.size
	default:
		return 0, errors.New("record: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("record: negative position")
	}
	c.pos = offset
	return offset, nil
}

// Close closes the segment files.
func (c *Clip) Close() error {
	var errs []error
	for _, f := range c.files {
		errs = append(errs, f.Close())
	}
	c.files = nil
	return errors.Join(errs...)
}

// Export writes a clip into Dir/exports (as the clip's name, with -2, -3, …
// when taken), where retention never deletes it, and returns its path.
func (s *Store) Export(stream string, start time.Time, d time.Duration) (string, error) {
	c, err := s.Clip(stream, start, d)
	if err != nil {
		return "", err
	}
	defer func() { _ = c.Close() }() // read only
	dir := filepath.Join(s.o.Dir, exportsDir)
	tmp, err := os.CreateTemp(dir, "export-*.tmp")
	if err != nil {
		return "", fmt.Errorf("record: export: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails once renamed
	_, err = io.Copy(tmp, io.NewSectionReader(c, 0, c.Size()))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("record: export: %w", err)
	}
	stem := strings.TrimSuffix(c.Name(), ".mp4")
	for n := 1; ; n++ {
		path := filepath.Join(dir, stem+".mp4")
		if n > 1 {
			path = filepath.Join(dir, stem+"-"+strconv.Itoa(n)+".mp4")
		}
		// A hard link never replaces a file, as a rename would; where
		// there are none, rename to a name not taken.
		err := os.Link(tmp.Name(), path)
		if err != nil && !errors.Is(err, os.ErrExist) {
			if _, serr := os.Lstat(path); errors.Is(serr, os.ErrNotExist) {
				err = os.Rename(tmp.Name(), path)
			}
		}
		if err == nil {
			syncDir(dir)
			return path, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("record: export: %w", err)
		}
	}
}
