package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"framecast/backend/links"
	"framecast/internal/cli"
	"framecast/internal/instance"
)

// linkState is serve's customer links and their audit, kept in a folder
// of their own (--state) while the admin API is on.
type linkState struct {
	dir   string
	book  *links.Book
	audit *links.AuditLog
	lock  *os.File // nil: none (the desktop app locks its folder with its window: internal/instance)
}

// defaultStateDir is where serve keeps its links: ~/.config/framecast/serve.
func defaultStateDir() string {
	dir, err := cli.ConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "serve")
}

// openLinks opens the links kept in dir (links.json) and their audit
// (audit/), locking dir against a second serve. The links are made and
// revoked with the admin API, so without an admin token there are none:
// nil then.
func openLinks(dir, adminToken string, log *slog.Logger) (*linkState, error) {
	if adminToken == "" {
		return nil, nil
	}
	if dir == "" {
		return nil, errors.New("--state: no folder for the links and their audit (no home directory): give one")
	}
	lock, err := instance.LockDir(dir)
	if errors.Is(err, instance.ErrLocked) {
		return nil, fmt.Errorf("--state %s: another framecast serve keeps its links there (give each its own --state)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("--state %s: %w", dir, err)
	}
	ls, err := loadLinks(dir, log)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("--state: %w", err)
	}
	ls.lock = lock
	return ls, nil
}

// loadLinks opens the links kept in dir's links.json, saved there after
// every change, and their audit in dir/audit. A links file that will not
// read is an error: starting without the links would write over them.
func loadLinks(dir string, log *slog.Logger) (*linkState, error) {
	path := filepath.Join(dir, "links.json")
	saved, err := links.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (move the file away to start without the links)", err)
	}
	audit, err := links.OpenAudit(filepath.Join(dir, "audit"), links.AuditOptions{Log: log})
	if err != nil {
		return nil, fmt.Errorf("the audit: %w", err)
	}
	book := links.NewBook(saved, links.BookDeps{Save: func(s []links.Saved) error { return links.SaveFile(path, s) }, Audit: audit, Log: log})
	return &linkState{dir: dir, book: book, audit: audit}, nil
}

// close saves the links and closes the audit; after the site, whose
// viewers' records it takes as they leave.
func (l *linkState) close(log *slog.Logger) {
	l.book.Close()
	if err := l.audit.Close(); err != nil {
		log.Warn("close the audit", "err", err)
	}
	if l.lock != nil {
		l.lock.Close()
	}
}

// printLinks says on w where the customer links are kept and how many
// there are.
func printLinks(w io.Writer, l *linkState) {
	if l == nil {
		return
	}
	n := len(l.book.Links())
	fmt.Fprintf(w, "Customer links: %d, kept in %s (make them with POST /api/links; docs/links.md)\n", n, l.dir)
}
