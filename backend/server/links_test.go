package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/engine"
	"framecast/backend/links"
	"framecast/backend/protocol"
	"framecast/internal/testnet"

	"github.com/gorilla/websocket"
)

// auditSink keeps the records a Book audits.
type auditSink struct {
	mu   sync.Mutex
	recs []links.Record
}

func (a *auditSink) Write(r links.Record) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = append(a.recs, r)
}

func (a *auditSink) records() []links.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]links.Record(nil), a.recs...)
}

// linked is a stream whose handler admits a Book's links.
func linked(t *testing.T) (*stream, *links.Book, *auditSink) {
	t.Helper()
	audit := &auditSink{}
	book := links.NewBook(nil, links.BookDeps{Audit: audit})
	t.Cleanup(book.Close)
	s := startStreamOf(t, smallSettings(), engine.Deps{}, Deps{Links: book})
	return s, book, audit
}

// watchLink connects a viewer with tok and waits for its first frames.
func watchLink(t *testing.T, s *stream, tok string) *client.Watcher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, s.wsURL(url.QueryEscape(tok)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	w := client.Watch(v)
	testnet.WaitFor(t, 10*time.Second, "the viewer's first frames", func() bool { return w.Frames() >= 3 })
	return w
}

// endsWith waits for the viewer's bye saying want and the end of its
// connection, and reports how long after since the connection ended.
func endsWith(t *testing.T, w *client.Watcher, want string, since time.Time) time.Duration {
	t.Helper()
	reason, ok := w.Wait(10 * time.Second)
	if !ok || !strings.Contains(reason, want) {
		t.Fatalf("bye %q (ended: %v), want it to say %q", reason, ok, want)
	}
	return w.Ended().Sub(since)
}

type refusal struct {
	status        int
	refused, body string
}

func askRefusal(t *testing.T, u string) refusal {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return refusal{resp.StatusCode, resp.Header.Get(protocol.RefusedHeader), string(b)}
}

func TestARevokedLinkCutsItsViewersAtOnceAndOnlyThem(t *testing.T) {
	s, book, audit := linked(t)
	acme, err := book.Add(links.Spec{Name: "Acme QA"})
	if err != nil {
		t.Fatal(err)
	}
	globex, err := book.Add(links.Spec{Name: "Globex <line 2>"})
	if err != nil {
		t.Fatal(err)
	}
	a, g := watchLink(t, s, acme.Token), watchLink(t, s, globex.Token)
	// An MJPEG viewer of the revoked link too.
	resp, err := http.Get(s.base + "/stream.mjpg?token=" + url.QueryEscape(acme.Token))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	mjpegEnded := make(chan time.Time, 1)
	go func() {
		_, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body))
		mjpegEnded <- time.Now()
	}()
	testnet.WaitFor(t, 10*time.Second, "three viewers of links", func() bool {
		st, _ := book.Get("Acme QA")
		return st.Viewers == 2
	})

	before := g.Frames()
	revoked := time.Now()
	if err := book.Revoke("Acme QA"); err != nil {
		t.Fatal(err)
	}
	took := endsWith(t, a, "revoked", revoked)
	t.Logf("the revoked link's viewer closed %v after the revocation", took)
	if took > time.Second {
		t.Errorf("the revoked link's viewer was closed %v after the revocation, want within 1 s", took)
	}
	select {
	case at := <-mjpegEnded:
		if took := at.Sub(revoked); took > time.Second {
			t.Errorf("the revoked link's MJPEG viewer ended %v after, want within 1 s", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the revoked link's MJPEG stream went on")
	}
	// The other link's viewer watches on, at the stream's rate.
	mark, at := g.Frames(), time.Now()
	testnet.WaitFor(t, 20*time.Second, "the other link's viewer goes on", func() bool { return g.Frames() >= mark+30 })
	if fps := float64(g.Frames()-mark) / time.Since(at).Seconds(); fps < 10 {
		t.Errorf("the other link's viewer got %.1f fps after the revocation", fps)
	}
	if g.Frames() <= before {
		t.Fatal("the other link's viewer stopped")
	}
	select {
	case reason := <-g.Bye():
		t.Fatalf("the other link's viewer was told %q", reason)
	default:
	}

	// Every later request with the revoked token is refused, saying why.
	for _, path := range []string{"/", "/api/state", "/snapshot.jpg"} {
		got := askRefusal(t, s.base+path+"?token="+url.QueryEscape(acme.Token))
		if got.status != 401 || got.refused != protocol.RefusedRevoked {
			t.Fatalf("%s with the revoked token: %+v", path, got)
		}
		if path == "/" && !strings.Contains(got.body, "This link was revoked") {
			t.Fatalf("the page says %q", got.body)
		}
	}
	// The audit has the ended connections by the link's name, never a token.
	testnet.WaitFor(t, 5*time.Second, "the audit of both of Acme's connections", func() bool { return len(audit.records()) >= 2 })
	kinds := map[string]bool{}
	for _, r := range audit.records() {
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), acme.Token) || strings.Contains(string(b), globex.Token) {
			t.Fatalf("a token in the audit: %s", b)
		}
		if r.Link != "Acme QA" || r.Reason != links.RefusedRevoked || r.End.IsZero() || r.Addr == "" {
			t.Fatalf("record %+v", r)
		}
		kinds[r.Kind] = true
		if r.Kind == "ws" && r.Bytes == 0 {
			t.Fatalf("no bytes counted: %+v", r)
		}
	}
	if !kinds["ws"] || !kinds["mjpeg"] {
		t.Fatalf("kinds audited: %v", kinds)
	}
	if open := book.Open(); len(open) != 1 || open[0].Link != "Globex <line 2>" {
		t.Fatalf("open connections: %+v", open)
	}
}

func TestAnExpiredLinkIsToldAndClosedAndSaysSoAfter(t *testing.T) {
	s, book, _ := linked(t)
	l, err := book.Add(links.Spec{Name: "Acme", ExpiresIn: "3s"})
	if err != nil {
		t.Fatal(err)
	}
	w := watchLink(t, s, l.Token)
	endsWith(t, w, "expired", time.Now())
	if took := w.Ended().Sub(l.Expires); took > time.Second || took < 0 {
		t.Errorf("closed %v after the expiry", took)
	}
	got := askRefusal(t, s.base+"/?token="+url.QueryEscape(l.Token))
	if got.status != 401 || got.refused != protocol.RefusedExpired || !strings.Contains(got.body, "This link expired") {
		t.Fatalf("the expired link's page: %+v", got)
	}
	if st, _ := book.Get("Acme"); !st.Expired {
		t.Fatalf("listed as %+v", st)
	}
}

func TestALinksViewerCapRefusesOneMoreUntilOneLeaves(t *testing.T) {
	s, book, _ := linked(t)
	l, err := book.Add(links.Spec{Name: "Acme", MaxViewers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, err := client.Dial(ctx, s.wsURL(url.QueryEscape(l.Token)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Dial(ctx, s.wsURL(url.QueryEscape(l.Token)), nil); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("a second viewer over the cap: %v", err)
	}
	if got := askRefusal(t, s.base+"/stream.mjpg?token="+url.QueryEscape(l.Token)); got.status != 503 || !strings.Contains(got.body, "as many viewers as it allows") {
		t.Fatalf("MJPEG over the cap: %+v", got)
	}
	// The stream's own token is no link: not capped.
	watchLink(t, s, token)
	first.Close()
	testnet.WaitFor(t, 10*time.Second, "the first viewer gone", func() bool { st, _ := book.Get("Acme"); return st.Viewers == 0 })
	watchLink(t, s, l.Token)
}

func TestANewOwnLinkCutsItsViewersAndNotTheCustomers(t *testing.T) {
	s, book, _ := linked(t)
	l, err := book.Add(links.Spec{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	own, customer := watchLink(t, s, token), watchLink(t, s, l.Token)
	s.srv.SetToken("a-new-token-0123456789")
	endsWith(t, own, "replaced", time.Now())
	mark := customer.Frames()
	testnet.WaitFor(t, 10*time.Second, "the customer watches on", func() bool { return customer.Frames() >= mark+10 })
}

func TestRecordingsNeedALinkThatMayReadThem(t *testing.T) {
	s, book, _ := linked(t)
	watchOnly, _ := book.Add(links.Spec{Name: "watch only"})
	reader, _ := book.Add(links.Spec{Name: "reader", Recordings: true})
	for _, path := range []string{"/api/recordings", "/api/detections", "/clip.mp4"} {
		if got := askRefusal(t, s.base+path+"?token="+url.QueryEscape(watchOnly.Token)); got.status != 403 || !strings.Contains(got.body, "not its recordings") {
			t.Fatalf("%s with a link that may not: %+v", path, got)
		}
		// This stream records nothing: past the right, the answer is the
		// recordings' own.
		if got := askRefusal(t, s.base+path+"?token="+url.QueryEscape(reader.Token)); got.status == 403 || got.status == 401 {
			t.Fatalf("%s with a link that may: %+v", path, got)
		}
	}
}

func TestAStreamOpensOnlyForItsLinksAndWrongLinkTokensCount(t *testing.T) {
	s, book, _ := linked(t)
	other, _ := book.Add(links.Spec{Name: "other stream's", Streams: []string{"elsewhere"}})
	for range 25 {
		askRefusal(t, s.base+"/api/state?token="+url.QueryEscape(other.Token))
	}
	if got := askRefusal(t, s.base+"/api/state?token="+url.QueryEscape(other.Token)); got.status != 429 {
		t.Fatalf("a link to another stream, many times: %+v", got)
	}
}

func TestTheDesktopsOwnPreviewIsNeitherCountedNorAudited(t *testing.T) {
	s, book, audit := linked(t)
	v, _, err := websocket.DefaultDialer.Dial("ws://"+s.srv.LoopbackAddr().String()+"/ws?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 10*time.Second, "the preview's hello", func() bool { return len(s.hub.Viewers(time.Now())) == 1 })
	if open := book.Open(); len(open) != 0 {
		t.Fatalf("the preview is in the audit as open: %+v", open)
	}
	v.Close()
	testnet.WaitFor(t, 10*time.Second, "the preview gone", func() bool { return len(s.hub.Viewers(time.Now())) == 0 })
	watchLink(t, s, token) // a viewer of the own link over the network is audited
	if open := book.Open(); len(open) != 1 || open[0].Link != "" || open[0].Kind != "ws" {
		t.Fatalf("open: %+v", open)
	}
	if recs := audit.records(); len(recs) != 0 {
		t.Fatalf("the preview audited: %+v", recs)
	}
}
