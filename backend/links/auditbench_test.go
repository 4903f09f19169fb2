package links

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkAuditWrite(b *testing.B) {
	a, err := OpenAudit(b.TempDir(), AuditOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	r := rec("Acme QA", "line1", 1)
	r.Via = "wss://relay.example.com/eu"
	b.ReportAllocs()
	for b.Loop() {
		a.Write(r)
	}
}

// BenchmarkOpenAudit opens an audit of four full files (the default
// bounds): the start-up cost of reading back the newest records.
func BenchmarkOpenAudit(b *testing.B) {
	dir := b.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := OpenAudit(dir, AuditOptions{Log: log})
	if err != nil {
		b.Fatal(err)
	}
	r := rec("Acme QA", "line1", 1)
	for i := 0; i%1000 != 0 || fileCount(b, dir) < 4; i++ {
		a.Write(r)
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		a, err := OpenAudit(dir, AuditOptions{Log: log})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(a.Page(AuditQuery{Limit: 1000}).Records); n != 1000 {
			b.Fatalf("read back %d records", n)
		}
		_ = a.Close()
	}
	b.ReportMetric(float64(dirSize(b, dir))/(1<<20), "MiB-on-disk")
}

func dirSize(b *testing.B, dir string) int64 {
	m, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, p := range m {
		st, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		n += st.Size()
	}
	return n
}

func fileCount(b *testing.B, dir string) int {
	m, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	return len(m)
}
