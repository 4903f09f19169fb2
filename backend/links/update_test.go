package links

import (
	"errors"
	"strings"
	"testing"
	"time"

	"framecast/internal/testnet"
)

func ptr[T any](v T) *T { return &v }

// cutNow is what a session was told as the Book cut it, which it does
// before the change returns; the test fails if it was not cut.
func cutNow(t *testing.T, cut <-chan string) string {
	t.Helper()
	select {
	case text := <-cut:
		return text
	default:
		t.Fatal("not cut")
		return ""
	}
}

// A link changed by the operator keeps its token, its viewers and its use:
// renamed, its viewers' records say the new name; extended, an expired
// link opens again; a stream taken off, or the recordings right, cuts
// those viewers alone; a lower cap keeps who watches and waits for new
// ones.
func TestAChangedLinkKeepsItsTokenViewersAndUse(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	recs := &records{}
	b := NewBook(nil, BookDeps{Now: c.Now, Audit: recs, ClipWait: time.Millisecond})
	defer b.Close()
	acme, err := b.Add(Spec{Name: "Acme QA", Streams: []string{"line-1", "dock"}, ExpiresIn: "1h", MaxViewers: 3, Recordings: true})
	if err != nil {
		t.Fatal(err)
	}
	join := func(stream, kind string) (*Session, <-chan string) {
		t.Helper()
		g, reason, ok := b.Admit(stream, acme.Token)
		if !ok {
			t.Fatalf("%s refused: %q", stream, reason)
		}
		cut := make(chan string, 1)
		s, err := g.Join(Viewer{Stream: stream, Kind: kind, Cut: func(_, text string) { cut <- text }})
		if err != nil {
			t.Fatal(err)
		}
		return s, cut
	}
	line, lineCut := join("line-1", "ws")
	dock, dockCut := join("dock", "ws")
	clip, clipCut := join("line-1", KindClip)

	t.Run("renamed", func(t *testing.T) {
		l, err := b.Update("Acme QA", Change{Name: ptr("Acme Quality")})
		if err != nil || l.Token != acme.Token || l.Name != "Acme Quality" {
			t.Fatalf("%+v %v", l, err)
		}
		if _, ok := b.Get("Acme QA"); ok {
			t.Fatal("the old name is still a link")
		}
		if st, _ := b.Get("Acme Quality"); st.Viewers != 2 {
			t.Fatalf("the renamed link has %d viewers, want its 2", st.Viewers)
		}
	})
	t.Run("a stream taken off cuts its viewers alone", func(t *testing.T) {
		if _, err := b.Update("Acme Quality", Change{Streams: &[]string{"line-1"}}); err != nil {
			t.Fatal(err)
		}
		if got := cutNow(t, dockCut); got != "this link no longer opens this stream" {
			t.Fatalf("dock's viewer cut: %q", got)
		}
		dock.End(5)
		if _, _, ok := b.Admit("dock", acme.Token); ok {
			t.Fatal("the link still opens dock")
		}
	})
	t.Run("the recordings right taken off cuts its clip downloads", func(t *testing.T) {
		if _, err := b.Update("Acme Quality", Change{Recordings: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if got := cutNow(t, clipCut); got != "this link may no longer read the recordings" {
			t.Fatalf("the clip download cut: %q", got)
		}
		clip.End(7)
		select {
		case got := <-lineCut:
			t.Fatalf("line-1's live viewer cut: %q", got)
		default:
		}
	})
	t.Run("a lower cap keeps who watches", func(t *testing.T) {
		if _, err := b.Update("Acme Quality", Change{MaxViewers: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		g, _, _ := b.Admit("line-1", acme.Token)
		if _, err := g.Join(Viewer{Stream: "line-1"}); !errors.Is(err, ErrFull) {
			t.Fatalf("one more at a cap of 1: %v", err)
		}
	})
	t.Run("extended after it expired, it opens again and expires at its new time", func(t *testing.T) {
		c.add(time.Hour)
		b.mu.Lock()
		b.expireLocked(c.Now())
		b.mu.Unlock()
		if got := cutNow(t, lineCut); !strings.Contains(got, "expired") {
			t.Fatalf("line-1's viewer at the expiry: %q", got)
		}
		line.End(9)
		if _, reason, ok := b.Admit("line-1", acme.Token); ok || reason != RefusedExpired {
			t.Fatalf("expired: %v %q", ok, reason)
		}
		l, err := b.Update("Acme Quality", Change{ExpiresIn: ptr("7d")})
		if err != nil || !l.Expires.Equal(c.Now().Add(7*24*time.Hour)) {
			t.Fatalf("%v %v", l.Expires, err)
		}
		again, againCut := join("line-1", "ws")
		defer again.End(0)
		c.add(7 * 24 * time.Hour)
		b.mu.Lock()
		b.expireLocked(c.Now())
		b.mu.Unlock()
		if got := cutNow(t, againCut); !strings.Contains(got, "expired") {
			t.Fatalf("at the new expiry: %q", got)
		}
	})
	testnet.WaitFor(t, 10*time.Second, "the records of the ended connections", func() bool { return len(recs.all()) >= 3 })
	for _, r := range recs.all() {
		if r.Link != "Acme Quality" {
			t.Fatalf("a record after the rename says %q", r.Link)
		}
	}
}

// A change the Book refuses changes nothing.
func TestABadChangeChangesNothing(t *testing.T) {
	b := NewBook(nil, BookDeps{})
	defer b.Close()
	acme, _ := b.Add(Spec{Name: "Acme QA", ExpiresIn: "1h"})
	if _, err := b.Add(Spec{Name: "Beta"}); err != nil {
		t.Fatal(err)
	}
	before := b.Links()
	for _, c := range []struct {
		name string
		ch   Change
		is   error
		says string
	}{
		{"nothing", Change{}, ErrEmptyChange, "nothing to change"},
		{"a name taken", Change{Name: ptr("Beta")}, ErrExists, "exists"},
		{"a bad name", Change{Name: ptr("a\u0007b")}, nil, "control"},
		{"both expiries", Change{ExpiresIn: ptr("1h"), ExpiresAt: ptr("2099-01-01T00:00:00Z")}, nil, "not both"},
		{"an expiry past", Change{ExpiresAt: ptr("2001-01-01T00:00:00Z")}, nil, "not in the future"},
		{"a cap out of range", Change{MaxViewers: ptr(-1)}, nil, "max_viewers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.Update("Acme QA", c.ch)
			if err == nil || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("%v, want one saying %q", err, c.says)
			}
			if after := b.Links(); len(after) != len(before) || after[0].Name != before[0].Name || !after[0].Expires.Equal(before[0].Expires) {
				t.Fatalf("the links changed: %+v", after)
			}
		})
	}
	if _, err := b.Update("nobody", Change{MaxViewers: ptr(1)}); !errors.Is(err, ErrNoLink) {
		t.Fatalf("no such link: %v", err)
	}
	if _, _, ok := b.Admit("s", acme.Token); !ok {
		t.Fatal("Acme's token after the refused changes")
	}
}

// A relay's producer renames a link: the relay's Book keeps it (the same
// hash), its viewers watch on, and their records say the new name.
func TestSetKeepsARenamedLinksViewers(t *testing.T) {
	recs := &records{}
	b := NewBook(nil, BookDeps{Audit: recs})
	defer b.Close()
	tok := "acme-token-0123456789"
	b.Set([]Link{{Name: "Acme QA", Token: tok}})
	g, _, ok := b.Admit("s", tok)
	if !ok {
		t.Fatal("a set link")
	}
	s, err := g.Join(Viewer{Cut: func(reason, _ string) { t.Errorf("the renamed link's viewer cut: %s", reason) }})
	if err != nil {
		t.Fatal(err)
	}
	b.Set([]Link{{Name: "Acme Quality", Token: tok}})
	if _, reason, ok := b.Admit("s", tok); !ok {
		t.Fatalf("the renamed link's token: %q", reason)
	}
	if n := b.Counts()["Acme Quality"]; n != 1 {
		t.Fatalf("the renamed link counts %d viewers", n)
	}
	s.End(3)
	if r := recs.all(); len(r) != 1 || r[0].Link != "Acme Quality" {
		t.Fatalf("records %+v", r)
	}
}
