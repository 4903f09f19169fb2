package links

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// logBuf is a log's output, safe for the goroutines that write it.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func openAudit(t *testing.T, dir string, o AuditOptions) (*AuditLog, *logBuf) {
	t.Helper()
	logs := &logBuf{}
	o.Log = slog.New(slog.NewTextHandler(logs, nil))
	a, err := OpenAudit(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a, logs
}

func rec(link, stream string, i int) Record {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return Record{Link: link, Stream: stream, Addr: "192.0.2.7:4711", Kind: "ws", Codec: "jpeg",
		Start: start, End: start.Add(time.Minute), Bytes: uint64(1000 * i)}
}

// fileLines reads the records of one audit file, failing at a line that
// is not one.
func fileLines(t *testing.T, path string) []Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: line %q: %v", path, sc.Text(), err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func seqs(rs []Record) []uint64 {
	out := make([]uint64, len(rs))
	for i, r := range rs {
		out[i] = r.Seq
	}
	return out
}

func TestAuditPagesNewestFirstByLinkAndStreamWithACursor(t *testing.T) {
	a, _ := openAudit(t, t.TempDir(), AuditOptions{})
	for i := range 250 {
		link := []string{"acme", "globex", ""}[i%3]
		stream := []string{"line1", "line2"}[i%2]
		a.Write(rec(link, stream, i))
	}
	cases := []struct {
		name         string
		q            AuditQuery
		want         int // records in all pages
		pageSize     int
		matchesQuery func(Record) bool
	}{
		{"every record pages newest first in pages of the default 100", AuditQuery{}, 250, 100, func(Record) bool { return true }},
		{"a link's records alone", AuditQuery{Link: "acme", Limit: 30}, 84, 30, func(r Record) bool { return r.Link == "acme" }},
		{"a stream's records alone", AuditQuery{Stream: "line2", Limit: 50}, 125, 50, func(r Record) bool { return r.Stream == "line2" }},
		{"a link's records on one stream", AuditQuery{Link: "globex", Stream: "line1", Limit: 7}, 41, 7,
			func(r Record) bool { return r.Link == "globex" && r.Stream == "line1" }},
		{"a limit over 1000 is 1000", AuditQuery{Limit: 5000}, 250, 1000, func(Record) bool { return true }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []Record
			q := c.q
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("the pages do not end")
				}
				p := a.Page(q)
				if p.Open != nil {
					t.Errorf("the audit filled Open: %v", p.Open)
				}
				if len(p.Records) > c.pageSize {
					t.Fatalf("a page of %d records, limit %d", len(p.Records), c.pageSize)
				}
				got = append(got, p.Records...)
				if p.Next == 0 {
					break
				}
				if len(p.Records) != c.pageSize {
					t.Fatalf("a page of %d records before the last, limit %d", len(p.Records), c.pageSize)
				}
				if p.Next != p.Records[len(p.Records)-1].Seq {
					t.Fatalf("next %d, the page's last seq %d", p.Next, p.Records[len(p.Records)-1].Seq)
				}
				q.Before = p.Next
			}
			if len(got) != c.want {
				t.Fatalf("%d records in all pages, want %d", len(got), c.want)
			}
			for i, r := range got {
				if !c.matchesQuery(r) {
					t.Fatalf("record %+v does not match %+v", r, c.q)
				}
				if i > 0 && r.Seq >= got[i-1].Seq {
					t.Fatalf("seq %d after %d: not newest first", r.Seq, got[i-1].Seq)
				}
			}
		})
	}
	t.Run("a page that ends exactly at the last record has no next", func(t *testing.T) {
		p := a.Page(AuditQuery{Link: "acme", Limit: 84})
		if len(p.Records) != 84 || p.Next != 0 {
			t.Fatalf("%d records, next %d; want 84 and no next", len(p.Records), p.Next)
		}
	})
	t.Run("an empty page says records, not null", func(t *testing.T) {
		b, _ := json.Marshal(a.Page(AuditQuery{Link: "nobody"}))
		if string(b) != `{"records":[]}` {
			t.Fatalf("got %s", b)
		}
	})
}

func TestAuditHoldsOnlyTheNewestKeepInMemory(t *testing.T) {
	a, _ := openAudit(t, t.TempDir(), AuditOptions{Keep: 50})
	for i := range 120 {
		a.Write(rec("acme", "line1", i))
	}
	p := a.Page(AuditQuery{Limit: 1000})
	if len(p.Records) != 50 || p.Records[0].Seq != 120 || p.Records[49].Seq != 71 || p.Next != 0 {
		t.Fatalf("got %d records, seq %d to %d, next %d; want the 50 newest, 120 to 71", len(p.Records),
			p.Records[0].Seq, p.Records[len(p.Records)-1].Seq, p.Next)
	}
}

func TestAuditRotatesKeepingABoundedNumberOfFiles(t *testing.T) {
	dir := t.TempDir()
	const size = 2048
	a, _ := openAudit(t, dir, AuditOptions{MaxFileSize: size, Files: 2})
	for i := range 300 {
		a.Write(rec("acme", "line1", i))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"audit.1.jsonl", "audit.2.jsonl", "audit.jsonl"}
	var got []string
	var total int64
	for _, n := range names {
		got = append(got, filepath.Base(n))
		st, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > size {
			t.Errorf("%s is %d bytes, over %d", filepath.Base(n), st.Size(), size)
		}
		total += st.Size()
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", got, want)
	}
	if total > 3*size {
		t.Fatalf("%d bytes on disk, over 3 files of %d", total, size)
	}
	// The files hold the newest records, in order, oldest file first.
	var all []Record
	for _, n := range []string{"audit.2.jsonl", "audit.1.jsonl", "audit.jsonl"} {
		all = append(all, fileLines(t, filepath.Join(dir, n))...)
	}
	if len(all) == 0 || all[len(all)-1].Seq != 300 {
		t.Fatalf("the files end at seq %v, want 300", seqs(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq != all[i-1].Seq+1 {
			t.Fatalf("seq %d follows %d in the files", all[i].Seq, all[i-1].Seq)
		}
	}
}

func TestAnAuditIsItsOwnersAlone(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "state", "audit")
	if err := os.MkdirAll(filepath.Join(root, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	a, _ := openAudit(t, dir, AuditOptions{MaxFileSize: 512})
	for i := range 10 {
		a.Write(rec("acme", "line1", i))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("the test wants a rotated file too: %v", files)
	}
	for _, p := range append([]string{dir}, files...) {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if st.IsDir() {
			want = 0o700
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	t.Run("a directory made too open is closed again", func(t *testing.T) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, "audit.jsonl"), 0o644); err != nil {
			t.Fatal(err)
		}
		openAudit(t, dir, AuditOptions{})
		for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "audit.jsonl"): 0o600} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != want {
				t.Errorf("%s is %v, want %v", p, st.Mode().Perm(), want)
			}
		}
	})
}

func TestConcurrentWritesEachGetASeqAndALine(t *testing.T) {
	dir := t.TempDir()
	a, _ := openAudit(t, dir, AuditOptions{MaxFileSize: 64 << 10, Files: 10})
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				a.Write(rec(fmt.Sprintf("link%d", w), "line1", i))
				if i%50 == 0 {
					a.Page(AuditQuery{Link: "link0"})
				}
			}
		})
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	var all []Record
	for n := 10; n >= 0; n-- {
		p := a.file(n)
		if _, err := os.Stat(p); err == nil {
			all = append(all, fileLines(t, p)...)
		}
	}
	if len(all) != writers*each {
		t.Fatalf("%d lines on disk, want %d", len(all), writers*each)
	}
	for i, r := range all {
		if r.Seq != uint64(i+1) {
			t.Fatalf("line %d has seq %d: seqs are not given and written in one order", i, r.Seq)
		}
	}
	if got := len(a.Page(AuditQuery{Limit: 1000}).Records); got != 1000 {
		t.Fatalf("a page of %d, want 1000", got)
	}
}

func TestAnAuditRecordsStringsAreBounded(t *testing.T) {
	a, _ := openAudit(t, t.TempDir(), AuditOptions{})
	long := strings.Repeat("é", 200) // two bytes each: a cut may fall inside one
	r := Record{Link: "x" + long, Stream: long, Addr: long, Kind: long, Codec: long, Rendition: long, Clip: long, Reason: long,
		Via: "https://relay:hunter2@relay.example.com/eu?token=SECRETTOKEN#frag", Start: time.Now()}
	a.Write(r)
	a.Write(Record{Link: "bad\xffutf8", Via: strings.Repeat("v", 1000) + "?token=SECRETTOKEN"})
	a.Write(Record{Via: "relay-eu"})
	page := a.Page(AuditQuery{})
	got, bad, plain := page.Records[2], page.Records[1], page.Records[0]
	for _, c := range []struct {
		field, value string
		max          int
	}{
		{"link", got.Link, 64}, {"stream", got.Stream, 64}, {"addr", got.Addr, 64}, {"kind", got.Kind, 32},
		{"codec", got.Codec, 32}, {"rendition", got.Rendition, 32}, {"clip", got.Clip, 64}, {"reason", got.Reason, 128}, {"via", bad.Via, 256},
	} {
		if len(c.value) > c.max || len(c.value) < c.max-3 {
			t.Errorf("%s is %d bytes, want at most %d (and near it)", c.field, len(c.value), c.max)
		}
		if !utf8.ValidString(c.value) {
			t.Errorf("%s was cut inside a character: %q", c.field, c.value)
		}
	}
	if got.Via != "https://relay.example.com/eu" {
		t.Errorf("via %q, want the relay's address without its password, query and fragment", got.Via)
	}
	if bad.Link != "bad\uFFFDutf8" {
		t.Errorf("link %q: invalid UTF-8 is not replaced", bad.Link)
	}
	if plain.Via != "relay-eu" {
		t.Errorf("via %q: a plain relay name changed", plain.Via)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(a.file(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"SECRETTOKEN", "hunter2"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("%s reached the audit file", secret)
		}
	}
}
