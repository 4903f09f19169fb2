package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/config"
	"framecast/backend/links"
)

// newLinksApp starts an app of one camera with a Book of customer links
// kept in a temporary links.json (its path returned) and their audit in
// a temporary folder, as the desktop keeps them.
func newLinksApp(t *testing.T) (*App, *links.Book, *links.AuditLog, string) {
	t.Helper()
	return newLinksAppWith(t, nil)
}

// newLinksAppWith is newLinksApp with a Book that starts with saved.
func newLinksAppWith(t *testing.T, saved []links.Saved) (*App, *links.Book, *links.AuditLog, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "links.json")
	audit, err := links.OpenAudit(filepath.Join(dir, "audit"), links.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	book := links.NewBook(saved, links.BookDeps{Save: func(s []links.Saved) error { return links.SaveFile(path, s) }, Audit: audit})
	st := config.Store{Path: filepath.Join(dir, config.FileName)}
	if err := st.Save(smallSaved(t)); err != nil {
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
		if err := audit.Close(); err != nil {
			t.Error(err)
		}
	})
	return a, book, audit, path
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
	a, book, _, path := newLinksApp(t)
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
	a, _, _, _ := newLinksApp(t)
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

func TestAChangedLinkKeepsItsTokenAndSaysWhatItIsNow(t *testing.T) {
	const token = "Zm9yLXRoZS10ZXN0LW9ubHk" // an expired link's, kept from before
	expired := links.Saved{Link: links.Link{Name: "Initech", Token: token, Expires: time.Now().Add(-time.Minute).Truncate(time.Second),
		Created: time.Now().Add(-48 * time.Hour)}}
	a, book, _, path := newLinksAppWith(t, []links.Saved{expired})
	if _, err := a.AddCamera("dock", ""); err != nil {
		t.Fatal(err)
	}
	acme, err := a.NewCustomerLink(LinkSpec{Name: "Acme QA", Cameras: []string{"dock"}, ExpiresIn: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(acme.URL)
	acmeToken := u.Query().Get("token")

	// A rename alone keeps the rest: the same URL, expiry and cameras.
	name := "Acme Quality"
	got, err := a.ChangeLink("Acme QA", LinkChange{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || got.URL != acme.URL || got.QR != acme.QR || !got.ExpiresAt.Equal(acme.ExpiresAt) || strings.Join(got.Streams, ",") != "dock" {
		t.Fatalf("renamed: %+v, was %+v", got, acme)
	}
	savedNamesIn(t, path, "Initech,Acme Quality")

	// Its cameras, cap, right and expiry: the token stays and opens what
	// it opens now.
	all, cap, rec, month := []string{}, 4, true, "30d"
	got, err = a.ChangeLink(name, LinkChange{Cameras: &all, MaxViewers: &cap, ExpiresIn: &month, Recordings: &rec})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(got.ExpiresAt); len(got.Streams) != 0 || got.MaxViewers != 4 || !got.Recordings || d < 29*24*time.Hour || d > 30*24*time.Hour {
		t.Fatalf("changed: %+v", got)
	}
	if g, _ := url.Parse(got.URL); g == nil || g.Query().Get("token") != acmeToken {
		t.Fatalf("the link changed is %q, its token was %q", got.URL, acmeToken)
	}
	if _, reason, ok := book.Admit("camera", acmeToken); !ok {
		t.Fatalf("its token does not open every camera now: %q", reason)
	}

	// The expired link, extended, opens again; never is never.
	list, _ := a.CustomerLinks()
	if len(list) != 2 || list[0].Name != "Initech" || !list[0].Expired {
		t.Fatalf("before extending Initech: %+v", list)
	}
	if _, reason, ok := book.Admit("camera", token); ok || reason != links.RefusedExpired {
		t.Fatalf("the expired token: admitted %v, reason %q", ok, reason)
	}
	week := "7d"
	if got, err = a.ChangeLink("Initech", LinkChange{ExpiresIn: &week}); err != nil || got.Expired || time.Until(got.ExpiresAt) < 6*24*time.Hour {
		t.Fatalf("Initech extended: %+v, %v", got, err)
	}
	if _, reason, ok := book.Admit("camera", token); !ok {
		t.Fatalf("Initech extended does not open: %q", reason)
	}
	never := ""
	if got, err = a.ChangeLink("Initech", LinkChange{ExpiresIn: &never}); err != nil || !got.ExpiresAt.IsZero() || got.Expired {
		t.Fatalf("Initech never expiring: %+v, %v", got, err)
	}
}

func TestARefusedChangeSaysWhyAndChangesNothing(t *testing.T) {
	a, _, _, _ := newLinksApp(t)
	for _, n := range []string{"Acme QA", "Globex line 2"} {
		if _, err := a.NewCustomerLink(LinkSpec{Name: n, ExpiresIn: "24h", MaxViewers: 2}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := a.CustomerLinks()
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	for _, c := range []struct {
		name   string
		link   string
		change LinkChange
		want   string
	}{
		{"a name taken says so", "Acme QA", LinkChange{Name: str("Globex line 2")}, "a link named “Globex line 2” exists already"},
		{"a change of nothing is refused", "Acme QA", LinkChange{}, "nothing to change"},
		{"a link that is not there is named", "Initech", LinkChange{Name: str("Umbrella")}, `no link named "Initech"`},
		{"an empty name is refused", "Acme QA", LinkChange{Name: str("")}, "needs a name"},
		{"a name of control characters is refused", "Acme QA", LinkChange{Name: str("Acme\nQA")}, "control or invisible character"},
		{"a camera that does not run is named", "Acme QA", LinkChange{Cameras: &[]string{"nope"}}, `camera "nope": there is none`},
		{"an expiry not offered is refused", "Acme QA", LinkChange{ExpiresIn: str("2h")}, `expiry "2h": choose never, 1h, 24h, 7d or 30d`},
		{"a negative viewer cap is refused", "Acme QA", LinkChange{MaxViewers: num(-1)}, "a cap of -1 viewers"},
		{"a cap beyond the Book's is refused", "Acme QA", LinkChange{MaxViewers: num(links.MaxViewersCap + 1)}, "give 1 to 10000"},
		{"a good part does not pass with a bad one", "Acme QA", LinkChange{Name: str("Initech"), ExpiresIn: str("2h")}, `expiry "2h"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.ChangeLink(c.link, c.change)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want one saying %q", err, c.want)
			}
			if after, _ := a.CustomerLinks(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("after a refusal the links are %+v, were %+v", after, before)
			}
		})
	}
}

// waitLinks polls CustomerLinks until ok holds of the list.
func waitLinks(t *testing.T, a *App, what string, ok func([]CustomerLink) bool) []CustomerLink {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := a.CustomerLinks()
		if err == nil && ok(list) {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: the links are %+v (%v)", what, list, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestALinksViewerIsCountedAuditedAndCutWhenRevoked(t *testing.T) {
	a, _, audit, _ := newLinksApp(t)
	acme, err := a.NewCustomerLink(LinkSpec{Name: "Acme QA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.NewCustomerLink(LinkSpec{Name: "Globex line 2"}); err != nil {
		t.Fatal(err)
	}
	// Acme's connections of before: more than a page of them.
	long := time.Now().Add(-time.Hour)
	for i := range 55 {
		audit.Write(links.Record{Link: "Acme QA", Stream: "camera", Addr: fmt.Sprintf("192.0.2.%d:50000", i+1), Kind: "ws",
			Start: long.Add(time.Duration(i) * time.Second), End: long.Add(time.Duration(i)*time.Second + 500*time.Millisecond), Bytes: 1000})
	}
	audit.Write(links.Record{Link: "Globex line 2", Stream: "camera", Addr: "192.0.2.200:50000", Kind: "mjpeg", Start: long, End: long.Add(time.Second)})

	// A real viewer with Acme's token, acking frames.
	u, _ := url.Parse(acme.URL)
	ws := fmt.Sprintf("ws://127.0.0.1:%d/s/camera/ws?token=%s", a.site.Port(), u.Query().Get("token"))
	v, err := client.Dial(context.Background(), ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	m, err := v.NextFrame(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Ack(m.Frame.Seq); err != nil {
		t.Fatal(err)
	}
	list := waitLinks(t, a, "Acme's viewer", func(l []CustomerLink) bool { return len(l) == 2 && l[0].Viewers == 1 })
	if time.Since(list[0].LastSeen) > time.Minute || list[1].Viewers != 0 || !list[1].LastSeen.IsZero() {
		t.Fatalf("with a viewer on Acme's link: %+v", list)
	}

	page, err := a.LinkAudit("Acme QA", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Open) != 1 || !strings.HasPrefix(page.Open[0].Addr, "127.0.0.1:") || !page.Open[0].End.IsZero() {
		t.Fatalf("Acme's open connections %+v", page.Open)
	}
	if len(page.Records) != 50 || page.Records[0].Addr != "192.0.2.55:50000" || page.Next == 0 {
		t.Fatalf("Acme's first page: %d records from %+v, next %d", len(page.Records), page.Records[0], page.Next)
	}
	older, err := a.LinkAudit("Acme QA", page.Next)
	if err != nil || len(older.Open) != 0 || len(older.Records) != 5 || older.Records[4].Addr != "192.0.2.1:50000" || older.Next != 0 {
		t.Fatalf("Acme's second page: %d open, %d records, next %d, %v; want the five oldest, no open ones, no next", len(older.Open), len(older.Records), older.Next, err)
	}
	if g, _ := a.LinkAudit("Globex line 2", 0); len(g.Open) != 0 || len(g.Records) != 1 || g.Records[0].Kind != "mjpeg" {
		t.Fatalf("Globex's audit %+v", g)
	}
	if _, err := a.LinkAudit("", 0); err == nil {
		t.Fatal("an audit of no link was answered")
	}

	// Revoked: the viewer is told and cut off, and its connection is in
	// the audit, cut for that reason.
	if err := a.RevokeLink("Acme QA"); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := v.Next(5 * time.Second); err != nil {
			break // closed by the server (a timeout would fail below too)
		}
	}
	// The server writes the record once the connection's goroutines end,
	// just after the viewer sees it closed.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		page, _ = a.LinkAudit("Acme QA", 0)
		if len(page.Open) == 0 && len(page.Records) == 50 && page.Records[0].Reason == links.RefusedRevoked && page.Records[0].Bytes > 0 &&
			strings.HasPrefix(page.Records[0].Addr, "127.0.0.1:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the revocation Acme's audit begins %+v (open %+v)", page.Records[0], page.Open)
		}
	}
	waitLinks(t, a, "Acme gone", func(l []CustomerLink) bool { return len(l) == 1 && l[0].Name == "Globex line 2" })
}
