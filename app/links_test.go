package app

import (
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/config"
	"framecast/backend/links"
)

// auditFunc is an audit whose Page is a test's function.
type auditFunc func(links.AuditQuery) links.AuditPage

func (f auditFunc) Page(q links.AuditQuery) links.AuditPage { return f(q) }

// newLinksApp starts an app of one camera with a Book of customer links
// kept in a temporary links.json (its path returned), and audit as the
// links' audit.
func newLinksApp(t *testing.T, audit auditReader) (*App, *links.Book, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "links.json")
	book := links.NewBook(nil, links.BookDeps{Save: func(s []links.Saved) error { return links.SaveFile(path, s) }})
	saved := smallSaved(t)
	st := config.Store{Path: filepath.Join(dir, config.FileName)}
	if err := st.Save(saved); err != nil {
		t.Fatal(err)
	}
	a, err := New(Deps{Store: st, Assets: fstest.MapFS{}, Listen: "127.0.0.1", FindCameras: noCameras, Links: book, Audit: audit})
	if err != nil {
		t.Fatal(err)
	}
	a.startup(&fakeRuntime{})
	t.Cleanup(func() {
		a.close()
		book.Close()
	})
	return a, book, path
}

// savedNamesIn are the names of the links in the links file at path, once
// the Book has saved them (it saves on its own goroutine).
func savedNamesIn(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		saved, err := links.LoadFile(path)
		var names []string
		for _, s := range saved {
			names = append(names, s.Name)
		}
		got := strings.Join(names, ",")
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("links.json holds %q (%v), want %q", got, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCustomerLinksAreMadeListedAndRevoked(t *testing.T) {
	a, book, path := newLinksApp(t, nil)
	if _, err := a.AddCamera("dock", ""); err != nil {
		t.Fatal(err)
	}
	acme, err := a.NewCustomerLink(LinkSpec{Name: "Acme QA", Cameras: []string{"dock"}, ExpiresIn: "24h", MaxViewers: 3})
	if err != nil {
		t.Fatal(err)
	}
	globex, err := a.NewCustomerLink(LinkSpec{Name: "Globex line 2", Recordings: true})
	if err != nil {
		t.Fatal(err)
	}
	// Acme's link is dock's page, with its own token; Globex's the page of
	// every camera.
	u, err := url.Parse(acme.URL)
	if err != nil || u.Path != "/s/dock/" || u.Query().Get("token") == "" || len(acme.URLs) == 0 || acme.URLs[0] != acme.URL {
		t.Fatalf("Acme's link %q (%q, %v)", acme.URL, acme.URLs, err)
	}
	if l, ok := book.Get("Acme QA"); !ok || u.Query().Get("token") != l.Token {
		t.Fatalf("Acme's link carries a token the Book does not have")
	}
	if g, _ := url.Parse(globex.URL); g == nil || g.Path != "/" || g.Query().Get("token") == u.Query().Get("token") {
		t.Fatalf("Globex's link %q", globex.URL)
	}
	if !strings.HasPrefix(acme.QR, "data:image/png;base64,") || acme.QR == globex.QR {
		t.Fatalf("QR codes %.40q and %.40q", acme.QR, globex.QR)
	}
	if d := time.Until(acme.ExpiresAt); d < 23*time.Hour || d > 24*time.Hour || !globex.ExpiresAt.IsZero() {
		t.Fatalf("Acme expires in %v, Globex at %v", d, globex.ExpiresAt)
	}
	list, err := a.CustomerLinks()
	if err != nil || len(list) != 2 {
		t.Fatalf("CustomerLinks = %+v, %v", list, err)
	}
	if l := list[0]; l.Name != "Acme QA" || strings.Join(l.Streams, ",") != "dock" || l.MaxViewers != 3 || l.Recordings || l.Viewers != 0 || !l.LastSeen.IsZero() || l.URL != acme.URL {
		t.Fatalf("Acme listed as %+v", l)
	}
	if l := list[1]; l.Name != "Globex line 2" || len(l.Streams) != 0 || !l.Recordings || l.Expired {
		t.Fatalf("Globex listed as %+v", l)
	}
	savedNamesIn(t, path, "Acme QA,Globex line 2")

	if err := a.RevokeLink("Acme QA"); err != nil {
		t.Fatal(err)
	}
	if _, reason, ok := book.Admit("dock", u.Query().Get("token")); ok || reason != links.RefusedRevoked {
		t.Fatalf("Acme's token after Revoke: admitted %v, reason %q", ok, reason)
	}
	list, _ = a.CustomerLinks()
	if len(list) != 1 || list[0].Name != "Globex line 2" {
		t.Fatalf("after revoking Acme: %+v", list)
	}
	savedNamesIn(t, path, "Globex line 2")
	if err := a.RevokeLink("Acme QA"); err == nil || !strings.Contains(err.Error(), `no link named "Acme QA"`) {
		t.Fatalf("revoking Acme again: %v", err)
	}
}

func TestABadLinkIsRefusedWithAReasonAndChangesNothing(t *testing.T) {
	a, _, _ := newLinksApp(t, nil)
	if _, err := a.NewCustomerLink(LinkSpec{Name: "Acme QA"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		spec LinkSpec
		want string
	}{
		{"a second link of a name says it exists", LinkSpec{Name: "Acme QA"}, "a link named “Acme QA” exists already"},
		{"a link needs a name", LinkSpec{Name: ""}, "needs a name"},
		{"a name of control characters is refused", LinkSpec{Name: "Acme\nQA"}, "control or invisible character"},
		{"a name over 64 bytes is refused", LinkSpec{Name: strings.Repeat("é", 33)}, "at most 64"},
		{"a camera that does not run is named", LinkSpec{Name: "Initech", Cameras: []string{"nope"}}, `camera "nope": there is none`},
		{"an expiry not offered is refused", LinkSpec{Name: "Initech", ExpiresIn: "2h"}, `expiry "2h": choose never, 1h, 24h, 7d or 30d`},
		{"a negative viewer cap is refused", LinkSpec{Name: "Initech", MaxViewers: -1}, "a cap of -1 viewers"},
		{"a cap beyond the Book's is refused", LinkSpec{Name: "Initech", MaxViewers: links.MaxViewersCap + 1}, "give 1 to 10000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.NewCustomerLink(c.spec)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want one saying %q", err, c.want)
			}
			if list, _ := a.CustomerLinks(); len(list) != 1 {
				t.Fatalf("after a refusal there are %d links", len(list))
			}
		})
	}
}

func TestALinksViewersAndAuditAreShown(t *testing.T) {
	var mu sync.Mutex
	var asked []links.AuditQuery
	ended := links.Record{Seq: 7, Link: "Acme QA", Stream: "camera", Addr: "192.0.2.7:50000", Kind: "ws", Codec: "h264",
		Start: time.Now().Add(-time.Hour), End: time.Now().Add(-50 * time.Minute), Bytes: 123456}
	audit := auditFunc(func(q links.AuditQuery) links.AuditPage {
		mu.Lock()
		asked = append(asked, q)
		mu.Unlock()
		if q.Before == 0 {
			return links.AuditPage{Records: []links.Record{ended}, Next: 7}
		}
		return links.AuditPage{}
	})
	a, book, _ := newLinksApp(t, audit)
	acme, err := a.NewCustomerLink(LinkSpec{Name: "Acme QA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.NewCustomerLink(LinkSpec{Name: "Globex line 2"}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(acme.URL)
	grant, _, ok := book.Admit("camera", u.Query().Get("token"))
	if !ok {
		t.Fatal("Acme's token is not admitted")
	}
	s, err := grant.Join(links.Viewer{Stream: "camera", Addr: "198.51.100.4:40000", Kind: "ws", Codec: "jpeg"})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := a.CustomerLinks()
	if list[0].Viewers != 1 || time.Since(list[0].LastSeen) > time.Minute || list[1].Viewers != 0 || !list[1].LastSeen.IsZero() {
		t.Fatalf("with a viewer on Acme's link: %+v", list)
	}

	page, err := a.LinkAudit("Acme QA", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Open) != 1 || page.Open[0].Addr != "198.51.100.4:40000" || len(page.Records) != 1 || page.Records[0].Seq != 7 || page.Next != 7 {
		t.Fatalf("Acme's first audit page %+v", page)
	}
	if page, _ := a.LinkAudit("Globex line 2", 0); len(page.Open) != 0 {
		t.Fatalf("Globex's audit shows Acme's viewer: %+v", page.Open)
	}
	older, err := a.LinkAudit("Acme QA", page.Next)
	if err != nil || len(older.Open) != 0 || older.Records == nil {
		t.Fatalf("Acme's second page %+v, %v: the open connections are on the first page only, and records is a list", older, err)
	}
	mu.Lock()
	if len(asked) != 3 || asked[0] != (links.AuditQuery{Link: "Acme QA", Limit: 50}) || asked[2] != (links.AuditQuery{Link: "Acme QA", Before: 7, Limit: 50}) {
		t.Fatalf("the audit was asked %+v", asked)
	}
	mu.Unlock()
	if _, err := a.LinkAudit("", 0); err == nil {
		t.Fatal("an audit of no link was answered")
	}

	s.End(1000)
	list, _ = a.CustomerLinks()
	if list[0].Viewers != 0 || list[0].LastSeen.IsZero() || list[0].WatchSeconds <= 0 {
		t.Fatalf("after Acme's viewer left: %+v", list[0])
	}
}
