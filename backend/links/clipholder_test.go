package links

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"framecast/internal/testnet"
)

// records keeps what a Book audits.
type records struct {
	mu   sync.Mutex
	recs []Record
}

func (r *records) Write(rec Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
}

func (r *records) all() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.recs...)
}

const aClip = "2026-12-06T10:00:00.000Z/30s"

// download is one request of a clip that sent bytes and ended.
func download(t *testing.T, g Grant, addr, clip string, bytes uint64) {
	t.Helper()
	s, err := g.Join(Viewer{Stream: "line-1", Addr: addr, Kind: KindClip, Clip: clip})
	if err != nil {
		t.Fatal(err)
	}
	s.End(bytes)
}

func TestAPlaybacksRequestsMakeOneRecordAndOthersTheirOwn(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	audit := &records{}
	b := NewBook(nil, BookDeps{Audit: audit, Now: clk.Now, ClipWait: 300 * time.Millisecond})
	defer b.Close()
	l, _ := b.Add(Spec{Name: "Acme QA", Recordings: true})
	g, _, _ := b.Admit("line-1", l.Token)
	start := clk.Now()
	for i, n := range []uint64{100, 200, 300} { // a <video>'s Range requests, each on a connection of its own
		download(t, g, fmt.Sprintf("203.0.113.9:%d", 5000+i), aClip, n)
		clk.add(time.Second)
	}
	download(t, g, "203.0.113.9:5100", "2026-12-06T10:05:00.000Z/30s", 50) // another clip
	download(t, g, "198.51.100.7:6000", aClip, 70)                         // another viewer
	live, _ := g.Join(Viewer{Stream: "line-1", Addr: "203.0.113.9:5200", Kind: "ws"})
	live.End(10)
	if got := audit.all(); len(got) != 1 || got[0].Kind != "ws" {
		t.Fatalf("before the clips' wait is over: %+v, want the live viewer's record alone", got)
	}
	testnet.WaitFor(t, 10*time.Second, "the clips' records", func() bool { return len(audit.all()) >= 4 })
	byClip := map[string]Record{}
	for _, r := range audit.all()[1:] {
		byClip[hostOf(r.Addr)+" "+r.Clip] = r
	}
	if len(byClip) != 3 {
		t.Fatalf("records %+v, want one per playback", audit.all())
	}
	one := byClip["203.0.113.9 "+aClip]
	if one.Bytes != 600 || !one.Start.Equal(start) || !one.End.Equal(start.Add(2*time.Second)) || one.Link != "Acme QA" || one.Addr != "203.0.113.9:5000" {
		t.Fatalf("the playback's record %+v, want 600 bytes from its first request's start to its last's end", one)
	}
	if byClip["203.0.113.9 2026-12-06T10:05:00.000Z/30s"].Bytes != 50 || byClip["198.51.100.7 "+aClip].Bytes != 70 {
		t.Fatalf("records %+v: another clip or another viewer was joined to the playback", audit.all())
	}
	time.Sleep(500 * time.Millisecond) // longer than the wait: nothing more comes
	if n := len(audit.all()); n != 4 {
		t.Fatalf("%d records, want 4", n)
	}
}

func TestAClipDownloadIsNoViewerOfTheLink(t *testing.T) {
	b := NewBook(nil, BookDeps{Audit: &records{}})
	defer b.Close()
	l, _ := b.Add(Spec{Name: "one", MaxViewers: 1, Recordings: true})
	g, _, _ := b.Admit("line-1", l.Token)
	live, err := g.Join(Viewer{Stream: "line-1", Kind: "ws"})
	if err != nil {
		t.Fatal(err)
	}
	defer live.End(0)
	clip, err := g.Join(Viewer{Stream: "line-1", Kind: KindClip, Clip: aClip})
	if err != nil {
		t.Fatalf("a clip download of a link at its cap: %v", err)
	}
	defer clip.End(0)
	if st, _ := b.Get("one"); st.Viewers != 1 {
		t.Fatalf("viewers %d, want the live one alone", st.Viewers)
	}
	if _, err := g.Join(Viewer{Stream: "line-1", Kind: "mjpeg"}); !errors.Is(err, ErrFull) {
		t.Fatalf("a second live viewer: %v, want ErrFull", err)
	}
	if open := b.Open(); len(open) != 2 {
		t.Fatalf("open %+v, want the viewer and the download", open)
	}
}

func TestACutPlaybackReachesTheAuditAtOnce(t *testing.T) {
	audit := &records{}
	b := NewBook(nil, BookDeps{Audit: audit, ClipWait: time.Hour})
	defer b.Close()
	l, _ := b.Add(Spec{Name: "Acme QA", Recordings: true})
	g, _, _ := b.Admit("line-1", l.Token)
	download(t, g, "203.0.113.9:5000", aClip, 100)
	cut := make(chan string, 1)
	s, err := g.Join(Viewer{Stream: "line-1", Addr: "203.0.113.9:5001", Kind: KindClip, Clip: aClip, Cut: func(why, _ string) { cut <- why }})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Revoke("Acme QA"); err != nil {
		t.Fatal(err)
	}
	if why := <-cut; why != "revoked" {
		t.Fatalf("cut for %q", why)
	}
	s.End(40)
	got := audit.all()
	if len(got) != 1 || got[0].Bytes != 140 || got[0].Reason != "revoked" {
		t.Fatalf("records %+v, want the playback's, cut, at once", got)
	}
}

func TestHeldClipRecordsAreBoundedWritingTheOldestFirst(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	audit := &records{}
	b := NewBook(nil, BookDeps{Audit: audit, Now: clk.Now, ClipWait: time.Hour})
	g := Own(b)
	const more = 10
	for i := range maxHeldClips + more {
		download(t, g, "203.0.113.9:5000", fmt.Sprintf("2026-12-06T10:00:%02d.000Z/%ds", i%60, 1+i/60), uint64(i))
		clk.add(time.Second)
	}
	got := audit.all()
	if len(got) != more {
		t.Fatalf("%d records written, want the %d held longest", len(got), more)
	}
	for i, r := range got {
		if r.Bytes != uint64(i) {
			t.Fatalf("record %d is request %d's, want the oldest first", i, r.Bytes)
		}
	}
	b.audit.mu.Lock()
	held := len(b.audit.held)
	b.audit.mu.Unlock()
	if held != maxHeldClips {
		t.Fatalf("%d held, want %d", held, maxHeldClips)
	}
	b.Close() // writes the rest
	got = audit.all()
	if len(got) != maxHeldClips+more {
		t.Fatalf("%d records after Close, want every one", len(got))
	}
	for i, r := range got {
		if r.Bytes != uint64(i) {
			t.Fatalf("record %d is request %d's, want them in the order they ended", i, r.Bytes)
		}
	}
}
