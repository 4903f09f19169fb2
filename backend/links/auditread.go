package links

// Reading the audit back at start: the newest records of the files kept,
// a torn last line (a crash) cut off, corrupt lines skipped.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
)

// cutTorn cuts the current file after its last whole line, so the next
// line written does not join a crash's torn one.
func (a *AuditLog) cutTorn() error {
	f, err := os.OpenFile(a.file(0), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	end := st.Size()
	buf := make([]byte, 4096)
	for end > 0 {
		n := int64(len(buf))
		if n > end {
			n = end
		}
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	if end == st.Size() {
		return nil
	}
	a.log.Warn("the audit's last line was torn (a crash while writing it): cut off", "file", a.file(0), "bytes", st.Size()-end)
	return f.Truncate(end)
}

// readBack reads the newest o.Keep records, newest file first, and the
// highest Seq.
func (a *AuditLog) readBack() error {
	var recs []Record
	for n := 0; n <= a.o.Files && len(recs) < a.o.Keep; n++ {
		got, err := a.readFile(a.file(n))
		if err != nil {
			return err
		}
		recs = append(got, recs...)
	}
	slices.SortStableFunc(recs, func(x, y Record) int {
		switch {
		case x.Seq < y.Seq:
			return -1
		case x.Seq > y.Seq:
			return 1
		}
		return 0
	})
	if len(recs) > 0 {
		a.seq = recs[len(recs)-1].Seq
	}
	if len(recs) > a.o.Keep {
		recs = recs[len(recs)-a.o.Keep:]
	}
	a.recent = recs
	return nil
}

// readFile reads one file's records; a corrupt line is skipped, and the
// file's corrupt lines logged once.
func (a *AuditLog) readFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	bad, line := 0, 0
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		b, long, err := readLine(r)
		if len(b) > 0 || long {
			line++
			var rec Record
			if long || json.Unmarshal(b, &rec) != nil || rec.Seq == 0 {
				bad++
			} else {
				out = append(out, rec)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if bad > 0 {
		a.log.Warn("corrupt lines of the audit skipped", "file", path, "lines", bad, "of", line)
	}
	return out, nil
}

// readLine reads the next line without its '\n'; long reports a line
// over maxAuditLine, which is read past and not returned.
func readLine(r *bufio.Reader) (line []byte, long bool, err error) {
	for {
		b, err := r.ReadSlice('\n')
		if len(line)+len(b) > maxAuditLine {
			long, line = true, nil
		} else if !long {
			line = append(line, b...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), long, err
	}
}
