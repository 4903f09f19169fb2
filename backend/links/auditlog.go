package links

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults of AuditOptions.
const (
	defaultAuditFileSize = 8 << 20
	defaultAuditFiles    = 3
	defaultAuditKeep     = 10000
	// maxAuditLine bounds a line read back: a record's strings are
	// bounded (bound), so a longer line is not one of ours.
	maxAuditLine = 64 << 10
	// warnEvery: a failing disk is logged at most this often, not at
	// every viewer that leaves.
	warnEvery = time.Minute
)

// AuditOptions bound an AuditLog; zero fields take the defaults.
type AuditOptions struct {
	// MaxFileSize is the size the current file is rotated at; 8 MiB.
	MaxFileSize int64
	// Files are the rotated files kept besides the current one; 3.
	Files int
	// Keep is how many of the newest records are held in memory for
	// paging; 10000.
	Keep int
	// Log is where a failing disk or a corrupt line is told; nil:
	// slog.Default().
	Log *slog.Logger
}

// AuditLog keeps the records of a site's connections on disk, one JSON
// line each, in DIR/audit.jsonl, rotated to audit.1.jsonl … audit.N.jsonl
// (the oldest deleted), and the newest of them in memory for paging. It
// is a Book's Auditor.
//
// Write is called by viewers' goroutines as they leave: a line is written
// with one write(2) and not synced, so a kill -9 keeps what was written
// and costs no viewer a disk flush; Close syncs.
type AuditLog struct {
	dir string
	o   AuditOptions
	log *slog.Logger

	mu     sync.Mutex
	f      *os.File  // the current file; nil after Close or a failed write or rotation; guarded by mu
	size   int64     // of f; guarded by mu
	torn   bool      // the last write was cut short: the next line starts on a line of its own; guarded by mu
	seq    uint64    // the highest Seq given; guarded by mu
	recent []Record  // the newest records, oldest first, at most o.Keep; guarded by mu
	warned time.Time // when a failure was last logged; guarded by mu
	closed bool      // guarded by mu
}

// OpenAudit opens the audit kept in dir (made, 0700, when missing) and
// reads back its newest records. A torn last line (a crash in the middle
// of a write) is cut off, a corrupt one skipped and logged: neither stops
// the audit.
func OpenAudit(dir string, o AuditOptions) (*AuditLog, error) {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = defaultAuditFileSize
	}
	if o.Files <= 0 {
		o.Files = defaultAuditFiles
	}
	if o.Keep <= 0 {
		o.Keep = defaultAuditKeep
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	a := &AuditLog{dir: dir, o: o, log: o.Log.With("component", "audit")}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if err := a.cutTorn(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if err := a.readBack(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	f, size, err := a.openCurrent()
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	a.f, a.size = f, size
	return a, nil
}

// file is the path of the current file (0) or of rotated file n.
func (a *AuditLog) file(n int) string {
	if n == 0 {
		return filepath.Join(a.dir, "audit.jsonl")
	}
	return filepath.Join(a.dir, fmt.Sprintf("audit.%d.jsonl", n))
}

func (a *AuditLog) openCurrent() (*os.File, int64, error) {
	f, err := os.OpenFile(a.file(0), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// Write keeps r: its strings bounded (bound), the next Seq given, a line
// appended to the current file. When the disk fails the record is still
// kept in memory, and the failure logged at most once a minute.
func (a *AuditLog) Write(r Record) {
	r = bound(r)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	r.Seq = a.seq
	// The window slides by reslicing; append copies it to a new array
	// when the old one is used up, leaving the oldest behind.
	a.recent = append(a.recent, r)
	if len(a.recent) > a.o.Keep {
		a.recent = a.recent[len(a.recent)-a.o.Keep:]
	}
	if a.closed {
		a.warnLocked("a record came after the audit was closed: kept in memory only", nil)
		return
	}
	line, err := json.Marshal(r)
	if err != nil {
		a.warnLocked("an audit record does not encode", err)
		return
	}
	line = append(line, '\n')
	if a.f != nil && a.size > 0 && a.size+int64(len(line)) > a.o.MaxFileSize {
		if err := a.rotateLocked(); err != nil {
			a.warnLocked("rotating the audit", err)
		}
	}
	if a.torn {
		line = append([]byte{'\n'}, line...)
	}
	if a.f == nil {
		f, size, err := a.openCurrent()
		if err != nil {
			a.warnLocked("opening the audit", err)
			return
		}
		a.f, a.size = f, size
	}
	n, err := a.f.Write(line)
	a.size += int64(n)
	a.torn = err != nil && n > 0
	if err != nil {
		// Opened again at the next record: a disk that was full may
		// have room by then.
		_ = a.f.Close()
		a.f = nil
		a.warnLocked("writing the audit (the record is kept in memory)", err)
	}
}

// rotateLocked moves the current file to audit.1.jsonl (and each rotated
// file one further, the oldest deleted) and starts a new one.
func (a *AuditLog) rotateLocked() error {
	err := a.f.Close()
	a.f, a.size, a.torn = nil, 0, false
	if err != nil {
		return err
	}
	// Each rename replaces the file it moves onto: the oldest goes first.
	for n := a.o.Files - 1; n >= 0; n-- {
		if err := os.Rename(a.file(n), a.file(n+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	f, _, err := a.openCurrent()
	if err != nil {
		return err
	}
	a.f = f
	return nil
}

// warnLocked logs a failure at most once every warnEvery.
func (a *AuditLog) warnLocked(msg string, err error) {
	now := time.Now()
	if !a.warned.IsZero() && now.Sub(a.warned) < warnEvery {
		return
	}
	a.warned = now
	if err != nil {
		a.log.Error(msg, "err", err)
		return
	}
	a.log.Error(msg)
}

// Page is a page of the records held in memory, newest first: those of
// q.Link and q.Stream ("": any) older than q.Before (0: the newest), at
// most q.Limit (1 to 1000; 0: 100). Open is left empty: the connections
// open now are the Book's (Book.Open).
func (a *AuditLog) Page(q AuditQuery) AuditPage {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	page := AuditPage{Records: []Record{}}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.recent) - 1; i >= 0; i-- {
		r := a.recent[i]
		if (q.Before != 0 && r.Seq >= q.Before) || !q.matches(r) {
			continue
		}
		if len(page.Records) == limit {
			page.Next = page.Records[limit-1].Seq
			break
		}
		page.Records = append(page.Records, r)
	}
	return page
}

// matches reports whether r is of the query's link and stream.
func (q AuditQuery) matches(r Record) bool {
	return (q.Link == "" || r.Link == q.Link) && (q.Stream == "" || r.Stream == q.Stream)
}

// Close syncs and closes the current file. Records written after it are
// kept in memory only.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	if a.f == nil {
		return nil
	}
	err := a.f.Sync()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	a.f = nil
	return err
}

// Bounds of a record's strings, in bytes of UTF-8.
const (
	maxAuditAddr   = 64
	maxAuditName   = 64 // a link's or a stream's
	maxAuditWord   = 32 // kind, codec, rendition
	maxAuditClip   = 64
	maxAuditReason = 128
	maxAuditVia    = 256
)

// bound cuts every string of r to its bound, so a record costs the disk
// and the API no more than a few hundred bytes whatever a relay or a
// client sent. Via loses any query, fragment and user part: a relay's
// address never carries a token or a password into the audit.
func bound(r Record) Record {
	r.Addr = cut(r.Addr, maxAuditAddr)
	r.Link = cut(r.Link, maxAuditName)
	r.Stream = cut(r.Stream, maxAuditName)
	r.Kind = cut(r.Kind, maxAuditWord)
	r.Codec = cut(r.Codec, maxAuditWord)
	r.Rendition = cut(r.Rendition, maxAuditWord)
	r.Clip = cut(r.Clip, maxAuditClip)
	r.Reason = cut(r.Reason, maxAuditReason)
	via, _, _ := strings.Cut(r.Via, "?")
	via, _, _ = strings.Cut(via, "#")
	if scheme, rest, ok := strings.Cut(via, "://"); ok {
		host, path, slash := strings.Cut(rest, "/")
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		via = scheme + "://" + host
		if slash {
			via += "/" + path
		}
	}
	r.Via = cut(via, maxAuditVia)
	return r
}

// cut makes s valid UTF-8 and cuts it to at most n bytes, between
// characters.
func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
