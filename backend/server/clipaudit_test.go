package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/hub"
	"framecast/backend/links"
	"framecast/backend/protocol"
	"framecast/internal/testnet"
)

// clipSite is a recorded stream serving a clip of its own bytes, whose
// handler admits a Book's links.
type clipSite struct {
	base  string
	sh    *Handler
	book  *links.Book
	audit *auditSink
	clip  []byte
}

func startClipSite(t *testing.T, size int) *clipSite {
	t.Helper()
	c := &clipSite{audit: &auditSink{}, clip: make([]byte, size)}
	for i := range c.clip {
		c.clip[i] = byte(i * 7)
	}
	c.book = links.NewBook(nil, links.BookDeps{Audit: c.audit})
	t.Cleanup(c.book.Close) // after the server: its downloads end first
	d := Deps{Hub: hub.New(), Stream: statsStream{}, Assets: fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}},
		Recordings: &fakeRecordings{clip: c.clip}, Links: c.book}
	c.sh = NewHandler("line-2", recToken, d)
	ts := httptest.NewServer(c.sh)
	t.Cleanup(func() { ts.Close(); c.sh.Close("") })
	c.base = ts.URL
	return c
}

// link makes a link that may read the recordings, and returns its token.
func (c *clipSite) link(t *testing.T, spec links.Spec) string {
	t.Helper()
	spec.Recordings = true
	l, err := c.book.Add(spec)
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}

func (c *clipSite) clipURL(tok string) string {
	return c.base + "/clip.mp4?token=" + url.QueryEscape(tok) + "&start=2026-12-06T10:00:00Z&duration=30s"
}

// fetchClip asks for u with its own connection (as a <video>'s Range
// requests come), range when given, and reads the whole answer.
func fetchClip(t *testing.T, method, u, rng string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	c := http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestAClipDownloadedWithALinkIsAuditedWithItsSpanAndNoToken(t *testing.T) {
	c := startClipSite(t, 300<<10)
	tok := c.link(t, links.Spec{Name: "Acme QA", MaxViewers: 1})
	// The link watched at its cap: a download is no viewer, and goes on.
	g, _, _ := c.book.Admit("line-2", tok)
	live, err := g.Join(links.Viewer{Stream: "line-2", Kind: "ws"})
	if err != nil {
		t.Fatal(err)
	}
	live.End(0)
	other := strings.Replace(c.clipURL(tok), "10:00:00Z", "10:05:00Z", 1) // a record of its own, if there were one
	if code, _ := fetchClip(t, http.MethodHead, other, ""); code != http.StatusOK {
		t.Fatalf("HEAD: %d", code)
	}
	if code, _ := answer(t, c.base+"/api/recordings?token="+url.QueryEscape(tok)); code != http.StatusOK {
		t.Fatalf("api/recordings: %d", code)
	}
	code, body := fetchClip(t, http.MethodGet, c.clipURL(tok)+"&download=1", "")
	if code != http.StatusOK || len(body) != len(c.clip) {
		t.Fatalf("the clip: %d, %d bytes", code, len(body))
	}
	c.book.Close() // writes the clip's record held for its playback's next request
	var clips []links.Record
	for _, r := range c.audit.records() {
		if r.Kind != "ws" {
			clips = append(clips, r)
		}
	}
	if len(clips) != 1 {
		t.Fatalf("records %+v, want one of the download (HEAD and api/recordings carry no footage)", clips)
	}
	r := clips[0]
	if r.Kind != links.KindClip || r.Link != "Acme QA" || r.Stream != "line-2" || r.Bytes != uint64(len(body)) ||
		r.Clip != "2026-12-06T10:00:00.000Z/30s" || r.End.IsZero() || !strings.HasPrefix(r.Addr, "127.0.0.1:") {
		t.Fatalf("record %+v, want the clip's, of %d bytes", r, len(body))
	}
	line, _ := json.Marshal(r)
	if strings.Contains(string(line), tok) || strings.Contains(string(line), "token") {
		t.Fatalf("the record carries the token: %s", line)
	}
}

func TestAPlaybacksRangeRequestsMakeOneRecordWithTheirBytes(t *testing.T) {
	c := startClipSite(t, 300<<10)
	tok := c.link(t, links.Spec{Name: "Acme QA"})
	sum := 0
	for _, rng := range []string{"bytes=0-1", "bytes=1000-99999", "bytes=200000-"} {
		code, body := fetchClip(t, http.MethodGet, c.clipURL(tok), rng)
		if code != http.StatusPartialContent {
			t.Fatalf("%s: %d", rng, code)
		}
		sum += len(body)
	}
	// The client has the body before the handler returns and ends the
	// session.
	testnet.WaitUntil(t, "the requests' sessions ended", func() bool { return len(c.book.Open()) == 0 })
	if got := c.audit.records(); len(got) != 0 {
		t.Fatalf("records %+v before the playback's wait is over", got)
	}
	c.book.Close()
	got := c.audit.records()
	if len(got) != 1 || got[0].Bytes != uint64(sum) {
		t.Fatalf("records %+v, want one of %d bytes", got, sum)
	}
}

// stalledClip starts a download with tok that reads a little and then no
// more, and waits until the server's writes wait on it. It returns the
// body, to read the rest from.
func stalledClip(t *testing.T, c *clipSite, tok string) io.ReadCloser {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	resp, err := (&http.Client{Transport: tr}).Get(c.clipURL(tok))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the clip: %d", resp.StatusCode)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	// The server's writes wait on the viewer once the bytes sent stop
	// growing (the socket's buffers are full).
	last := uint64(0)
	testnet.WaitFor(t, 20*time.Second, "the download to stall", func() bool {
		open := c.book.Open()
		if len(open) != 1 {
			return false
		}
		n := open[0].Bytes
		stalled := n == last && n > 0
		last = n
		time.Sleep(100 * time.Millisecond)
		return stalled
	})
	return resp.Body
}

func TestARevokedLinksClipDownloadIsCutWithinASecond(t *testing.T) {
	c := startClipSite(t, 64<<20) // far more than the sockets hold
	tok := c.link(t, links.Spec{Name: "Acme QA"})
	body := stalledClip(t, c, tok)
	revoked := time.Now()
	if err := c.book.Revoke("Acme QA"); err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 20*time.Second, "the download's record", func() bool { return len(c.audit.records()) == 1 })
	took := time.Since(revoked)
	r := c.audit.records()[0]
	if took > time.Second || r.Reason != "revoked" || r.Kind != links.KindClip {
		t.Fatalf("record %+v %v after the revocation, want it cut within 1 s", r, took)
	}
	n, err := io.Copy(io.Discard, body)
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) || n+64<<10 >= int64(len(c.clip)) || time.Since(revoked) > 5*time.Second {
		t.Fatalf("the viewer read %d bytes more (%v) in %v, want the answer cut short, its connection closed", n, err, time.Since(revoked))
	}
	ref := askRefusal(t, c.clipURL(tok))
	if ref.status != http.StatusUnauthorized || ref.refused != protocol.RefusedRevoked {
		t.Fatalf("the next request: %+v", ref)
	}
}

func TestANewOwnLinkCutsItsClipDownloads(t *testing.T) {
	c := startClipSite(t, 64<<20)
	body := stalledClip(t, c, recToken)
	replaced := time.Now()
	c.sh.SetToken("another-token-0123456789")
	testnet.WaitFor(t, 20*time.Second, "the download's end", func() bool { return len(c.book.Open()) == 0 })
	if took := time.Since(replaced); took > time.Second {
		t.Fatalf("the download ended %v after the link was replaced", took)
	}
	if _, err := io.Copy(io.Discard, body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("the viewer's answer: %v, want it cut short", err)
	}
}
