package links

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a test's time, moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestSpecsAreCheckedAndABadOneChangesNothing(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	if _, err := b.Add(Spec{Name: "Acme QA", ExpiresIn: "24h", MaxViewers: 3}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		spec Spec
		want string
	}{
		{Spec{}, "needs a name"},
		{Spec{Name: strings.Repeat("x", MaxNameLen+1)}, "at most 64"},
		{Spec{Name: " padded"}, "starts or ends with a space"},
		{Spec{Name: "bell\a"}, "control"},
		{Spec{Name: "\xff\xfe"}, "not UTF-8"},
		{Spec{Name: "Acme QA"}, "exists"},
		{Spec{Name: "n", ExpiresIn: "soon"}, "not a duration"},
		{Spec{Name: "n", ExpiresIn: "-1h"}, "more than 0"},
		{Spec{Name: "n", ExpiresIn: "4000d"}, "10 years"},
		{Spec{Name: "n", ExpiresIn: "1h", ExpiresAt: "2030-01-01T00:00:00Z"}, "not both"},
		{Spec{Name: "n", ExpiresAt: "tomorrow"}, "RFC 3339"},
		{Spec{Name: "n", ExpiresAt: "2001-01-01T00:00:00Z"}, "not in the future"},
		{Spec{Name: "n", MaxViewers: -1}, "max_viewers"},
		{Spec{Name: "n", MaxViewers: MaxViewersCap + 1}, "max_viewers"},
		{Spec{Name: "n", Token: "short"}, "token must be"},
		{Spec{Name: "n", Streams: []string{""}}, "stream name"},
	} {
		if _, err := b.Add(bad.spec); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want %q", bad.spec, err, bad.want)
		}
	}
	if l := b.Links(); len(l) != 1 {
		t.Fatalf("after refusals: %+v", l)
	}
}

func TestALinkOpensItsStreamsOnlyAndTokensAreChecked(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	one, _ := b.Add(Spec{Name: "one", Streams: []string{"line-1"}})
	all, _ := b.Add(Spec{Name: "all"})
	if len(one.Token) < 22 || one.Token == all.Token {
		t.Fatalf("tokens %q %q", one.Token, all.Token)
	}
	if g, _, ok := b.Admit("line-1", one.Token); !ok || g.Link != "one" || g.Recordings {
		t.Fatalf("its stream: %+v %v", g, ok)
	}
	if _, reason, ok := b.Admit("line-2", one.Token); ok || reason != "" {
		t.Fatalf("another stream: %v %q", ok, reason)
	}
	if got := b.Opens(all.Token, []string{"line-1", "line-2"}); len(got) != 2 {
		t.Fatalf("a link to every stream opens %v", got)
	}
	if _, _, ok := b.Admit("line-1", one.Token+"x"); ok {
		t.Fatal("a wrong token")
	}
	if _, _, ok := b.Admit("line-1", ""); ok {
		t.Fatal("no token")
	}
	b.Rename("line-1", "line-one")
	if _, _, ok := b.Admit("line-one", one.Token); !ok {
		t.Fatal("the renamed stream")
	}
}

func TestRevokedAndExpiredLinksAreToldApartAndCut(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	b := NewBook(nil, BookDeps{Now: c.Now})
	defer b.Close()
	soon, _ := b.Add(Spec{Name: "soon", ExpiresIn: "1h"})
	gone, _ := b.Add(Spec{Name: "gone"})
	g, _, _ := b.Admit("s", gone.Token)
	cuts := make(chan string, 2)
	s, err := g.Join(Viewer{Cut: func(reason, text string) { cuts <- reason + ": " + text }})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Revoke("gone"); err != nil {
		t.Fatal(err)
	}
	if got := <-cuts; got != "revoked: this link was revoked" {
		t.Fatalf("cut %q", got)
	}
	s.End(10)
	if _, reason, ok := b.Admit("s", gone.Token); ok || reason != RefusedRevoked {
		t.Fatalf("revoked: %v %q", ok, reason)
	}
	if err := b.Revoke("gone"); !errors.Is(err, ErrNoLink) {
		t.Fatalf("revoked twice: %v", err)
	}
	// A grant taken before the revocation joins nothing.
	if _, err := g.Join(Viewer{}); !errors.Is(err, ErrNoLink) {
		t.Fatalf("a stale grant: %v", err)
	}
	c.add(time.Hour)
	if _, reason, ok := b.Admit("s", soon.Token); ok || reason != RefusedExpired {
		t.Fatalf("expired: %v %q", ok, reason)
	}
	// The name may be used again; the old token stays refused.
	again, err := b.Add(Spec{Name: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := b.Admit("s", again.Token); !ok {
		t.Fatal("the new link of an old name")
	}
	if _, reason, _ := b.Admit("s", gone.Token); reason != RefusedRevoked {
		t.Fatalf("the old token: %q", reason)
	}
	// An expired link is forgotten a week after.
	c.add(keepExpired)
	b.mu.Lock()
	b.expireLocked(c.Now())
	b.mu.Unlock()
	if _, ok := b.Get("soon"); ok {
		t.Fatal("an expired link kept past a week")
	}
}

func TestTheExpiryTimerCutsOnTime(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	l, _ := b.Add(Spec{Name: "brief", ExpiresAt: time.Now().Add(1500 * time.Millisecond).Format(time.RFC3339Nano)})
	g, _, ok := b.Admit("s", l.Token)
	if !ok {
		t.Fatal("refused before its expiry")
	}
	cut := make(chan time.Time, 1)
	if _, err := g.Join(Viewer{Cut: func(string, string) { cut <- time.Now() }}); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-cut:
		if late := at.Sub(l.Expires); late < 0 || late > time.Second {
			t.Fatalf("cut %v after its expiry", late)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("never cut")
	}
	if st, _ := b.Get("brief"); !st.Expired {
		t.Fatalf("%+v", st)
	}
}

func TestCapsCountViewersHereAndOnOtherRelays(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	l, _ := b.Add(Spec{Name: "two", MaxViewers: 2})
	g, _, _ := b.Admit("s", l.Token)
	s1, err := g.Join(Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	b.SetShared("relay-b", map[string]int{"two": 1})
	if _, err := g.Join(Viewer{}); !errors.Is(err, ErrFull) {
		t.Fatalf("over the cap with a viewer on another relay: %v", err)
	}
	b.SetRemote("push", map[string]int{"two": 5}) // shown, not capped here
	if st, _ := b.Get("two"); st.Viewers != 7 {
		t.Fatalf("viewers %d, want 1 here + 1 shared + 5 remote", st.Viewers)
	}
	b.SetShared("relay-b", nil)
	s2, err := g.Join(Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	s1.End(1)
	s2.End(1)
	if n := b.Counts()["two"]; n != 0 {
		t.Fatalf("counts after both left: %d", n)
	}
}

func TestLinksAndTheirUseSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "links.json")
	c := &clock{now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	save := func(s []Saved) error { return SaveFile(path, s) }
	b := NewBook(nil, BookDeps{Save: save, Now: c.Now})
	l, _ := b.Add(Spec{Name: "Acme QA", Streams: []string{"line-1"}, ExpiresIn: "7d", MaxViewers: 3, Recordings: true})
	g, _, _ := b.Admit("line-1", l.Token)
	s, _ := g.Join(Viewer{})
	c.add(90 * time.Second)
	s.End(1000)
	b.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the links file: %v %v", fi, err)
	}
	saved, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b2 := NewBook(saved, BookDeps{Save: save, Now: c.Now})
	defer b2.Close()
	st, ok := b2.Get("Acme QA")
	if !ok || st.Token != l.Token || st.MaxViewers != 3 || !st.Recordings || !st.Expires.Equal(l.Expires) || st.WatchSeconds != 90 || !st.LastSeen.Equal(c.Now()) {
		t.Fatalf("after a restart: %+v", st)
	}
	if _, _, ok := b2.Admit("line-1", l.Token); !ok {
		t.Fatal("its token after a restart")
	}
	// Nothing but the file is left behind (written whole, renamed).
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("files: %v", entries)
	}
}

func TestBoundsOfLinks(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	for i := range MaxPerStream {
		if _, err := b.Add(Spec{Name: fmt.Sprint("line-1 #", i), Streams: []string{"line-1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Add(Spec{Name: "one more", Streams: []string{"line-1"}}); err == nil || !strings.Contains(err.Error(), "line-1") {
		t.Fatalf("one more for a full stream: %v", err)
	}
	if _, err := b.Add(Spec{Name: "every", Streams: nil}); err == nil {
		t.Fatal("a link to every stream opens the full one too")
	}
	if _, err := b.Add(Spec{Name: "other", Streams: []string{"line-2"}}); err != nil {
		t.Fatalf("another stream: %v", err)
	}
}

func TestSetReplacesARelaysLinksAndCutsTheGoneOnes(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	tok := func(s string) string { return s + "-token-0123456789" }
	a := Link{Name: "a", Token: tok("a")}
	c := Link{Name: "c", Token: tok("c"), MaxViewers: 1}
	b.Set([]Link{a, c})
	g, _, ok := b.Admit("s", tok("a"))
	if !ok {
		t.Fatal("a set link")
	}
	cut := make(chan string, 1)
	if _, err := g.Join(Viewer{Cut: func(reason, _ string) { cut <- reason }}); err != nil {
		t.Fatal(err)
	}
	gc, _, _ := b.Admit("s", tok("c"))
	keep, _ := gc.Join(Viewer{Cut: func(string, string) { t.Error("a kept link cut") }})
	c.MaxViewers = 2 // changed, kept
	b.Set([]Link{c})
	if got := <-cut; got != RefusedRevoked {
		t.Fatalf("cut %q", got)
	}
	if _, reason, _ := b.Admit("s", tok("a")); reason != RefusedRevoked {
		t.Fatalf("a gone link: %q", reason)
	}
	if _, err := gc.Join(Viewer{}); err != nil {
		t.Fatalf("the kept link's new cap: %v", err)
	}
	keep.End(0)
}
