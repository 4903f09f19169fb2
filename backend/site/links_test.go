package site

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"framecast/backend/config"
	"framecast/backend/links"
)

func TestACustomerLinkOpensItsStreamsAndTheGridOfThem(t *testing.T) {
	book := links.NewBook(nil, links.BookDeps{})
	t.Cleanup(book.Close)
	s, err := New(Config{Streams: []config.Camera{cam("line-1", shared), cam("line-2", shared), cam("line-3", shared)}},
		Deps{Assets: assets, Listen: "127.0.0.1", Links: book})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	two, _ := book.Add(links.Spec{Name: "two lines", Streams: []string{"line-2", "line-3"}})
	one, _ := book.Add(links.Spec{Name: "line 2 only", Streams: []string{"line-2"}})
	q := url.QueryEscape
	watch(t, s, "/s/line-2/ws?token="+q(two.Token))
	watch(t, s, "/s/line-3/ws?token="+q(two.Token))
	if code, _ := get(t, "http://"+base(s)+"/s/line-1/snapshot.jpg?token="+q(two.Token), nil); code != http.StatusUnauthorized {
		t.Fatalf("a stream the link does not open: %d", code)
	}
	if _, body := get(t, "http://"+base(s)+"/?token="+q(two.Token), nil); !strings.Contains(body, "grid") {
		t.Fatalf("/ with a link to two streams: %q, want the grid", body)
	}
	code, body := get(t, "http://"+base(s)+"/api/streams?token="+q(two.Token), nil)
	var list struct{ Streams []struct{ Name string } }
	if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil || len(list.Streams) != 2 || list.Streams[0].Name != "line-2" {
		t.Fatalf("/api/streams for the link: %d %s", code, body)
	}
	// Its addresses: the grid for several streams, the stream's page for one.
	if u := s.LinkURLs(two); len(u) == 0 || !strings.Contains(u[0], "/?token="+q(two.Token)) {
		t.Fatalf("the two-stream link's addresses: %v", u)
	}
	if u := s.LinkURLs(one); len(u) == 0 || !strings.Contains(u[0], "/s/line-2/?token="+q(one.Token)) {
		t.Fatalf("the one-stream link's addresses: %v", u)
	}
	// A renamed stream stays open to its links.
	if err := s.Rename("line-2", "line-two"); err != nil {
		t.Fatal(err)
	}
	watch(t, s, "/s/line-two/ws?token="+q(one.Token))
}
