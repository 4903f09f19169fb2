package links

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// apiSite is an admin API over a real Book and audit.
type apiSite struct {
	book  *Book
	audit *AuditLog
	srv   *httptest.Server
}

func newAPISite(t *testing.T, withAudit bool) *apiSite {
	t.Helper()
	s := &apiSite{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if withAudit {
		var err error
		s.audit, err = OpenAudit(t.TempDir(), AuditOptions{Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.audit.Close() })
	}
	d := BookDeps{Log: log}
	if s.audit != nil {
		d.Audit = s.audit
	}
	s.book = NewBook(nil, d)
	t.Cleanup(s.book.Close)
	api := &API{Book: s.book, Audit: s.audit,
		URL: func(l Link) string {
			if len(l.Streams) == 1 {
				return "https://cams.example.com/s/" + url.PathEscape(l.Streams[0]) + "/#token=" + l.Token
			}
			return "https://cams.example.com/#token=" + l.Token
		},
		Streams: func() []string { return []string{"line1", "line2", "dock"} }}
	s.srv = httptest.NewServer(api)
	t.Cleanup(s.srv.Close)
	return s
}

// answer is one response of the API.
type answer struct {
	status int
	header http.Header
	body   string
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(a.body), v); err != nil {
		t.Fatalf("%d %s: %v", a.status, a.body, err)
	}
}

// do sends a request; every answer is JSON and never cached.
func (s *apiSite) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s %s: Cache-Control %q", method, path, cc)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return answer{res.StatusCode, res.Header, string(b)}
}

func (s *apiSite) add(t *testing.T, spec string) LinkAnswer {
	t.Helper()
	a := s.do(t, http.MethodPost, "/api/links", spec)
	if a.status != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", spec, a.status, a.body)
	}
	var out LinkAnswer
	a.decode(t, &out)
	return out
}

func (s *apiSite) list(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(s.book.List())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTheLinksAPIMakesListsGetsAndRevokesLinks(t *testing.T) {
	s := newAPISite(t, true)
	if a := s.do(t, http.MethodGet, "/api/links", ""); a.status != 200 || a.body != "{\"links\":[]}\n" {
		t.Fatalf("no links: %d %s", a.status, a.body)
	}
	acme := s.add(t, `{"name":"Acme QA","streams":["line1"],"expires_in":"7d","max_viewers":3,"recordings":true}`)
	if len(acme.Token) < 22 || acme.URL != "https://cams.example.com/s/line1/#token="+acme.Token {
		t.Fatalf("token %q url %q", acme.Token, acme.URL)
	}
	if acme.Name != "Acme QA" || !reflect.DeepEqual(acme.Streams, []string{"line1"}) || acme.MaxViewers != 3 ||
		!acme.Recordings || acme.Expires.Sub(acme.Created).Hours() < 167 || acme.Viewers != 0 {
		t.Fatalf("made %+v", acme)
	}
	globex := s.add(t, `{"name":"Globex","token":"globex-own-token-of-24chars"}`)
	if globex.Token != "globex-own-token-of-24chars" || globex.URL != "https://cams.example.com/#token="+globex.Token || globex.Streams != nil {
		t.Fatalf("made %+v", globex)
	}

	t.Run("the list has both, with their use, under the documented names", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/api/links", "")
		var out struct{ Links []map[string]any }
		a.decode(t, &out)
		if len(out.Links) != 2 || out.Links[0]["name"] != "Acme QA" || out.Links[1]["name"] != "Globex" {
			t.Fatalf("%d %s", a.status, a.body)
		}
		for _, key := range []string{"name", "token", "url", "streams", "expires_at", "max_viewers", "recordings", "created", "viewers", "watch_seconds"} {
			if _, ok := out.Links[0][key]; !ok {
				t.Errorf("no %q in %v", key, out.Links[0])
			}
		}
	})
	t.Run("one link by its escaped name", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/api/links/Acme%20QA", "")
		var got LinkAnswer
		a.decode(t, &got)
		if a.status != 200 || got.Token != acme.Token || got.URL != acme.URL {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})
	t.Run("changed, it keeps its token: renamed, another stream, no expiry, no cap", func(t *testing.T) {
		a := s.do(t, http.MethodPatch, "/api/links/Globex", `{"name":"Globex Corp","streams":["line2"],"expires_in":"","max_viewers":0}`)
		var got LinkAnswer
		a.decode(t, &got)
		if a.status != 200 || got.Name != "Globex Corp" || got.Token != globex.Token || !reflect.DeepEqual(got.Streams, []string{"line2"}) ||
			!got.Expires.IsZero() || got.URL != "https://cams.example.com/s/line2/#token="+globex.Token {
			t.Fatalf("%d %s", a.status, a.body)
		}
		if _, _, ok := s.book.Admit("line2", globex.Token); !ok {
			t.Fatal("the changed link does not open line2")
		}
		if _, _, ok := s.book.Admit("line1", globex.Token); ok {
			t.Fatal("the changed link still opens line1")
		}
		later := time.Now().AddDate(1, 0, 0).UTC().Truncate(time.Second)
		a = s.do(t, http.MethodPatch, "/api/links/Acme%20QA", `{"expires_at":"`+later.Format(time.RFC3339)+`"}`)
		a.decode(t, &got)
		if a.status != 200 || got.Name != "Acme QA" || !got.Expires.Equal(later) || got.MaxViewers != 3 || !got.Recordings {
			t.Fatalf("extended: %d %s", a.status, a.body)
		}
	})
	t.Run("revoked, it is gone, and revoking it again is 404", func(t *testing.T) {
		a := s.do(t, http.MethodDelete, "/api/links/Acme%20QA", "")
		if a.status != 200 || a.body != "{\"revoked\":\"Acme QA\"}\n" {
			t.Fatalf("%d %s", a.status, a.body)
		}
		if _, reason, ok := s.book.Admit("line1", acme.Token); ok || reason != RefusedRevoked {
			t.Fatalf("its token still admits: ok %v reason %q", ok, reason)
		}
		for _, method := range []string{http.MethodDelete, http.MethodGet} {
			a := s.do(t, method, "/api/links/Acme%20QA", "")
			var e struct{ Error string }
			a.decode(t, &e)
			if a.status != 404 || !strings.Contains(e.Error, `"Acme QA"`) {
				t.Fatalf("%s again: %d %s", method, a.status, a.body)
			}
		}
	})
}

func TestALinksNameRoundTripsEscapedThroughTheAPI(t *testing.T) {
	s := newAPISite(t, false)
	for _, name := range []string{
		`a/b`,
		`100% "Acme" <script>alert(1)</script>`,
		`Café Ünïcødé 顧客 🎥`,
		`..`,
		`a?b#c`,
	} {
		t.Run(name, func(t *testing.T) {
			spec, _ := json.Marshal(map[string]any{"name": name})
			made := s.add(t, string(spec))
			if made.Name != name {
				t.Fatalf("made %q", made.Name)
			}
			a := s.do(t, http.MethodGet, "/api/links/"+url.PathEscape(name), "")
			var got LinkAnswer
			a.decode(t, &got)
			if a.status != 200 || got.Name != name {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if strings.Contains(a.body, "<script>") {
				t.Fatalf("the answer holds the name unescaped: %s", a.body)
			}
			if a := s.do(t, http.MethodDelete, "/api/links/"+url.PathEscape(name), ""); a.status != 200 {
				t.Fatalf("DELETE: %d %s", a.status, a.body)
			}
			if _, ok := s.book.Get(name); ok {
				t.Fatal("still there after DELETE")
			}
		})
	}
}

func TestTheLinksAPIRefusesBadRequestsChangingNothing(t *testing.T) {
	s := newAPISite(t, true)
	s.add(t, `{"name":"Acme QA","streams":["line1"]}`)
	s.add(t, `{"name":"Beta","streams":["line2"]}`)
	cases := []struct {
		name, method, path, body string
		status                   int
		says                     string // in the error
	}{
		{"an unknown key is named", "POST", "/api/links", `{"name":"x","colour":"red"}`, 400, `colour`},
		{"a body that is not JSON", "POST", "/api/links", `name=x`, 400, "JSON object"},
		{"two objects", "POST", "/api/links", `{"name":"x"} {"name":"y"}`, 400, "one JSON object"},
		{"a body over 16 KiB", "POST", "/api/links", `{"name":"` + strings.Repeat("x", 17<<10) + `"}`, 413, "16 KiB"},
		{"no name", "POST", "/api/links", `{"streams":["line1"]}`, 400, "needs a name"},
		{"a name too long", "POST", "/api/links", `{"name":"` + strings.Repeat("x", 65) + `"}`, 400, "at most 64"},
		{"a name with a control character", "POST", "/api/links", `{"name":"a\u0007b"}`, 400, "control"},
		{"an unknown stream", "POST", "/api/links", `{"name":"x","streams":["line1","nope"]}`, 400, `no stream "nope"`},
		{"a bad expires_in", "POST", "/api/links", `{"name":"x","expires_in":"soon"}`, 400, "expires_in"},
		{"both expiries", "POST", "/api/links", `{"name":"x","expires_in":"1h","expires_at":"2099-01-01T00:00:00Z"}`, 400, "not both"},
		{"an expiry in the past", "POST", "/api/links", `{"name":"x","expires_at":"2001-01-01T00:00:00Z"}`, 400, "not in the future"},
		{"a cap out of range", "POST", "/api/links", `{"name":"x","max_viewers":-1}`, 400, "max_viewers"},
		{"a short token", "POST", "/api/links", `{"name":"x","token":"short"}`, 400, "token"},
		{"a name taken", "POST", "/api/links", `{"name":"Acme QA"}`, 409, "exists"},
		{"no such link to get", "GET", "/api/links/nobody", "", 404, `no link "nobody"`},
		{"no such link to revoke", "DELETE", "/api/links/nobody", "", 404, `"nobody"`},
		{"an empty name", "DELETE", "/api/links/", "", 404, "no link"},
		{"a change of no link", "PATCH", "/api/links/nobody", `{"max_viewers":2}`, 404, `no link of that name: "nobody"`},
		{"a change naming nothing", "PATCH", "/api/links/Acme%20QA", `{}`, 400, "nothing to change"},
		{"a change with an unknown key", "PATCH", "/api/links/Acme%20QA", `{"colour":"red"}`, 400, `colour`},
		{"a change over 16 KiB", "PATCH", "/api/links/Acme%20QA", `{"name":"` + strings.Repeat("x", 17<<10) + `"}`, 413, "16 KiB"},
		{"a rename to a name taken", "PATCH", "/api/links/Acme%20QA", `{"name":"Beta"}`, 409, "exists"},
		{"a rename with a control character", "PATCH", "/api/links/Acme%20QA", `{"name":"a\u0007b"}`, 400, "control"},
		{"a change to an unknown stream", "PATCH", "/api/links/Acme%20QA", `{"streams":["nope"]}`, 400, `no stream "nope"`},
		{"a change of both expiries", "PATCH", "/api/links/Acme%20QA", `{"expires_in":"1h","expires_at":"2099-01-01T00:00:00Z"}`, 400, "not both"},
		{"a change of the token", "PATCH", "/api/links/Acme%20QA", `{"token":"acme-new-token-0123456789"}`, 400, `token`},
		{"PUT on the list", "PUT", "/api/links", `{}`, 405, `"PUT"`},
		{"POST on a link", "POST", "/api/links/Acme%20QA", `{}`, 405, `"POST"`},
		{"DELETE on the audit", "DELETE", "/api/audit", "", 405, `"DELETE"`},
		{"another path", "GET", "/api/linksx", "", 404, "no such API"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.list(t)
			a := s.do(t, c.method, c.path, c.body)
			var e struct{ Error string }
			a.decode(t, &e)
			if a.status != c.status || !strings.Contains(e.Error, c.says) {
				t.Fatalf("%d %s; want %d saying %q", a.status, a.body, c.status, c.says)
			}
			if after := s.list(t); after != before {
				t.Fatalf("a refused request changed the links:\n%s\n%s", before, after)
			}
			if a.status == 405 && a.header.Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
		})
	}
	t.Run("405 says which methods are", func(t *testing.T) {
		for path, want := range map[string]string{"/api/links": "GET, POST", "/api/links/x": "GET, PATCH, DELETE", "/api/audit": "GET"} {
			if got := s.do(t, http.MethodPut, path, "").header.Get("Allow"); got != want {
				t.Errorf("%s: Allow %q, want %q", path, got, want)
			}
		}
	})
	refused := func(t *testing.T, spec, says string) {
		t.Helper()
		before := s.list(t)
		a := s.do(t, http.MethodPost, "/api/links", spec)
		if a.status != 409 || !strings.Contains(a.body, says) {
			t.Fatalf("%d %s; want 409 saying %q", a.status, a.body, says)
		}
		if s.list(t) != before {
			t.Fatal("the refused link changed the links")
		}
	}
	t.Run("past the links of a stream the Book's message says so", func(t *testing.T) {
		for i := 1; i < MaxPerStream; i++ {
			s.add(t, fmt.Sprintf(`{"name":"line1 customer %d","streams":["line1"]}`, i))
		}
		refused(t, `{"name":"one too many","streams":["line1"]}`, `stream \"line1\" has 100 links already`)
		refused(t, `{"name":"one for every stream"}`, `has 100 links already`)
		// Beta, of line2, may not open line1 too.
		before := s.list(t)
		if a := s.do(t, http.MethodPatch, "/api/links/Beta", `{"streams":["line1","line2"]}`); a.status != 409 || !strings.Contains(a.body, `stream \"line1\" has 100 links already`) {
			t.Fatalf("%d %s", a.status, a.body)
		}
		if s.list(t) != before {
			t.Fatal("the refused change changed the links")
		}
	})
	t.Run("past the links of a Book the Book's message says so", func(t *testing.T) {
		for i := len(s.book.Links()); i < MaxLinks; i++ {
			stream := "line2"
			if i >= 2*MaxPerStream {
				stream = "dock"
			}
			s.add(t, fmt.Sprintf(`{"name":"customer %d","streams":[%q]}`, i, stream))
		}
		refused(t, `{"name":"one too many","streams":["dock"]}`, "there are 256 links already")
	})
}
