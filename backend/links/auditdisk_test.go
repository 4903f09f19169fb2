package links

import (
	"fmt"
	"strings"
	"testing"
)

func TestAFailingDiskKeepsTheRecordAndIsLoggedOnceAMinute(t *testing.T) {
	a, logs := openAudit(t, t.TempDir(), AuditOptions{})
	a.Write(rec("acme", "line1", 1))
	// A write that fails: the file is closed under the audit.
	a.mu.Lock()
	_ = a.f.Close()
	a.mu.Unlock()
	a.Write(rec("acme", "line1", 2))
	if got := fmt.Sprint(seqs(a.Page(AuditQuery{}).Records)); got != "[2 1]" {
		t.Fatalf("records %s, want the one that failed kept too", got)
	}
	if n := strings.Count(logs.String(), "writing the audit"); n != 1 {
		t.Fatalf("the failure was logged %d times, want once:\n%s", n, logs)
	}
	// The next record opens the file again.
	a.Write(rec("acme", "line1", 3))
	a.mu.Lock()
	_ = a.f.Close()
	a.mu.Unlock()
	a.Write(rec("acme", "line1", 4))
	if n := strings.Count(logs.String(), "writing the audit"); n != 1 {
		t.Fatalf("a second failure within a minute was logged too:\n%s", logs)
	}
	a.Write(rec("acme", "line1", 5))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(seqs(fileLines(t, a.file(0)))); got != "[1 3 5]" {
		t.Fatalf("the file holds seq %s, want 1 3 5 (the others failed)", got)
	}
}

func TestALineCutShortByTheDiskLeavesTheNextOneWhole(t *testing.T) {
	dir := t.TempDir()
	a, _ := openAudit(t, dir, AuditOptions{})
	a.Write(rec("acme", "line1", 1))
	// What a write cut short by a full disk leaves: part of a line.
	a.mu.Lock()
	if _, err := a.f.Write([]byte(`{"seq":2,"link":"ac`)); err != nil {
		t.Fatal(err)
	}
	a.torn = true
	a.mu.Unlock()
	a.Write(rec("acme", "line1", 3))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, logs := openAudit(t, dir, AuditOptions{})
	if got := fmt.Sprint(seqs(b.Page(AuditQuery{}).Records)); got != "[2 1]" {
		t.Fatalf("read back seq %s, want 2 and 1 (the line after the cut one whole)", got)
	}
	if !strings.Contains(logs.String(), "lines=1") {
		t.Fatalf("the cut line is not counted corrupt:\n%s", logs)
	}
}
