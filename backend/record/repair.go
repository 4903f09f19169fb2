package record

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// repair reads the segment dir/name.mp4 as a crash may have left it: it cuts
// the file after its last complete fragment, and its detections after the
// last line before that fragment's end. A segment without one complete
// fragment is removed (nil, nil).
func repair(dir, name string, log *slog.Logger) (*segment, error) {
	path := filepath.Join(dir, name+".mp4")
	detPath := filepath.Join(dir, name+".jsonl")
	start, err := time.Parse(nameLayout, name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	size := st.Size()
	params, initEnd, err := readInit(f, size)
	var end int64 = -1
	good, frames := initEnd, 0
	if err == nil {
		good = walkFragments(f, initEnd, size, false, func(fr fragment) bool {
			end = fr.end
			frames += fr.count
			return true
		})
	}
	if end < 0 {
		log.Warn("removed a segment with no complete fragment", "path", path)
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		if err := os.Remove(detPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("record: %w", err)
		}
		return nil, nil
	}
	if good < size {
		log.Warn("cut a segment after its last complete fragment", "path", path, "bytes", size-good)
		if err := f.Truncate(good); err != nil {
			return nil, fmt.Errorf("record: repair %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("record: repair %s: %w", path, err)
		}
	}
	seg := &segment{name: name, start: start, end: start.Add(ticksToDuration(end)), size: good, frames: frames, params: params}
	seg.detSize, err = repairDetections(detPath, seg.end.UnixMicro())
	if err != nil {
		return nil, err
	}
	return seg, nil
}

// repairDetections cuts a .jsonl file before its first line that is not
// whole or whose time is not before end (µs), and returns its size.
func repairDetections(path string, end int64) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("record: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("record: %w", err)
	}
	// Lines are written whole and in time order, so a file whose last line
	// is whole and before end needs no reading.
	if tail := min(st.Size(), 4096); tail > 0 {
		b := make([]byte, tail)
		if _, err := f.ReadAt(b, st.Size()-tail); err == nil && b[len(b)-1] == '\n' {
			i := bytes.LastIndexByte(b[:len(b)-1], '\n')
			if ts, ok := lineTS(b[i+1:]); ok && ts < end && (i >= 0 || tail == st.Size()) {
				return st.Size(), nil
			}
		}
	}
	var keep int64
	br := bufio.NewReader(f)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			break // no line of ours is that long
		}
		if err != nil { // io.EOF: a line cut short, or none
			break
		}
		ts, ok := lineTS(line)
		if !ok || ts >= end {
			break
		}
		keep += int64(len(line))
	}
	if keep < st.Size() {
		if err := f.Truncate(keep); err != nil {
			return 0, fmt.Errorf("record: repair %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			return 0, fmt.Errorf("record: repair %s: %w", path, err)
		}
	}
	return keep, nil
}

func ticksToDuration(t int64) time.Duration {
	return time.Duration(t) * time.Second / timeScale
}
