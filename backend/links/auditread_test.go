package links

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAReopenedAuditKeepsItsRecordsAndItsSeqGrows(t *testing.T) {
	dir := t.TempDir()
	a, _ := openAudit(t, dir, AuditOptions{MaxFileSize: 4096, Files: 3})
	for i := range 60 {
		a.Write(rec("acme", "line1", i))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "audit.1.jsonl")); err != nil {
		t.Fatalf("the test wants records in a rotated file too: %v", err)
	}
	t.Run("all of them when they are fewer than Keep", func(t *testing.T) {
		b, _ := openAudit(t, dir, AuditOptions{MaxFileSize: 4096, Files: 3})
		p := b.Page(AuditQuery{Limit: 1000})
		if len(p.Records) != 60 || p.Records[0].Seq != 60 || p.Records[59].Seq != 1 {
			t.Fatalf("read back %d records, seq %v", len(p.Records), seqs(p.Records))
		}
		if p.Records[0] != a.Page(AuditQuery{Limit: 1}).Records[0] {
			t.Fatalf("read back %+v, written %+v", p.Records[0], a.Page(AuditQuery{Limit: 1}).Records[0])
		}
		b.Write(rec("globex", "line2", 61))
		if got := b.Page(AuditQuery{Limit: 1}).Records[0]; got.Seq != 61 || got.Link != "globex" {
			t.Fatalf("the next record is %+v, want seq 61", got)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the newest Keep, and the highest seq, when there are more", func(t *testing.T) {
		c, _ := openAudit(t, dir, AuditOptions{MaxFileSize: 4096, Files: 3, Keep: 5})
		p := c.Page(AuditQuery{Limit: 1000})
		if got := fmt.Sprint(seqs(p.Records)); got != "[61 60 59 58 57]" {
			t.Fatalf("read back seq %s", got)
		}
		c.Write(rec("acme", "line1", 62))
		if got := c.Page(AuditQuery{Limit: 1}).Records[0].Seq; got != 62 {
			t.Fatalf("the next record's seq is %d, want 62", got)
		}
	})
}

func TestAnAuditSkipsATornLastLineAndCorruptLines(t *testing.T) {
	dir := t.TempDir()
	a, _ := openAudit(t, dir, AuditOptions{})
	for i := range 5 {
		a.Write(rec("acme", "line1", i))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "audit.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// A corrupt line between the second and third record, another too
	// long to be a record, and a crash in the middle of a sixth record.
	broken := lines[0] + lines[1] + "{\"seq\": oops\n" + `{"seq":99,"link":"` + strings.Repeat("x", maxAuditLine) + "\"}\n" +
		strings.Join(lines[2:], "") + `{"seq":6,"link":"acme","str`
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}

	b, logs := openAudit(t, dir, AuditOptions{})
	if got := fmt.Sprint(seqs(b.Page(AuditQuery{}).Records)); got != "[5 4 3 2 1]" {
		t.Fatalf("read back seq %s, want 5 to 1", got)
	}
	if n := strings.Count(logs.String(), "corrupt lines"); n != 1 {
		t.Errorf("the corrupt lines were logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "lines=2") {
		t.Errorf("the log does not count two corrupt lines:\n%s", logs)
	}
	b.Write(rec("acme", "line1", 6))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The torn line is gone and the next record is a line of its own.
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	last := strings.SplitAfter(strings.TrimSuffix(string(after), "\n"), "\n")
	var r Record
	if err := json.Unmarshal([]byte(last[len(last)-1]), &r); err != nil || r.Seq != 6 {
		t.Fatalf("the last line is %q (%v), want seq 6 whole", last[len(last)-1], err)
	}
	if len(last) != 8 {
		t.Fatalf("%d lines, want the 5 records, the 2 corrupt lines and the new one", len(last))
	}
}
