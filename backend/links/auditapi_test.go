package links

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestTheAuditAPIPagesRecordsAndListsOpenConnections(t *testing.T) {
	s := newAPISite(t, true)
	acme := s.add(t, `{"name":"Acme QA","streams":["line1"]}`)
	globex := s.add(t, `{"name":"Globex"}`)
	join := func(token, stream, addr string) *Session {
		t.Helper()
		g, reason, ok := s.book.Admit(stream, token)
		if !ok {
			t.Fatalf("%s refused: %q", stream, reason)
		}
		sess, err := g.Join(Viewer{Stream: stream, Addr: addr, Kind: "ws", Codec: "h264", Rendition: "720p"})
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	for i := range 5 {
		join(acme.Token, "line1", fmt.Sprintf("192.0.2.%d:5000", i)).End(uint64(1000 + i))
		join(globex.Token, "line2", fmt.Sprintf("198.51.100.%d:5000", i)).End(uint64(2000 + i))
	}
	open := join(acme.Token, "line1", "203.0.113.9:6000")
	defer open.End(0)
	join(globex.Token, "dock", "203.0.113.10:6000")

	type page struct {
		Open    []Record `json:"open"`
		Records []Record `json:"records"`
		Next    uint64   `json:"next"`
	}
	get := func(t *testing.T, query string) page {
		t.Helper()
		a := s.do(t, http.MethodGet, "/api/audit"+query, "")
		if a.status != 200 {
			t.Fatalf("%s: %d %s", query, a.status, a.body)
		}
		var p page
		a.decode(t, &p)
		return p
	}
	t.Run("the first page lists what is open and the newest records", func(t *testing.T) {
		p := get(t, "")
		if len(p.Open) != 2 || len(p.Records) != 10 || p.Next != 0 {
			t.Fatalf("%+v", p)
		}
		r := p.Records[0]
		if r.Link != "Globex" || r.Stream != "line2" || r.Addr != "198.51.100.4:5000" || r.Bytes != 2004 ||
			r.Codec != "h264" || r.Rendition != "720p" || r.End.IsZero() || r.Seq != 10 {
			t.Fatalf("newest record %+v", r)
		}
	})
	t.Run("filtered by link, the open connections too, and paged with next", func(t *testing.T) {
		p := get(t, "?link=Acme+QA&limit=3")
		if len(p.Open) != 1 || p.Open[0].Addr != "203.0.113.9:6000" || !p.Open[0].End.IsZero() {
			t.Fatalf("open %+v", p.Open)
		}
		if got := fmt.Sprint(seqs(p.Records)); got != "[9 7 5]" || p.Next != 5 {
			t.Fatalf("records %s next %d", got, p.Next)
		}
		p = get(t, fmt.Sprintf("?link=Acme+QA&limit=3&before=%d", p.Next))
		if got := fmt.Sprint(seqs(p.Records)); got != "[3 1]" || p.Next != 0 || p.Open != nil {
			t.Fatalf("second page: records %s next %d open %v", got, p.Next, p.Open)
		}
	})
	t.Run("filtered by stream", func(t *testing.T) {
		p := get(t, "?stream=dock")
		if len(p.Open) != 1 || p.Open[0].Link != "Globex" || len(p.Records) != 0 {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("no token is in the audit", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/api/audit?limit=1000", "")
		if strings.Contains(a.body, acme.Token) || strings.Contains(a.body, globex.Token) {
			t.Fatalf("a token in %s", a.body)
		}
	})

	for _, c := range []struct{ name, query, says string }{
		{"a limit of 0", "?limit=0", "limit"},
		{"a limit over 1000", "?limit=1001", "1 to 1000"},
		{"a limit that is no number", "?limit=ten", "limit"},
		{"a cursor that is no number", "?before=yesterday", "before"},
		{"a negative cursor", "?before=-5", "before"},
		{"an unknown parameter", "?token=abc", `no parameter "token"`},
		{"a parameter given twice", "?link=a&link=b", "once at most"},
		{"a query that does not parse", "?link=%zz", "does not parse"},
		{"a query over 1 KiB", "?link=" + strings.Repeat("x", 1100), "1 KiB"},
	} {
		t.Run(c.name+" is refused", func(t *testing.T) {
			a := s.do(t, http.MethodGet, "/api/audit"+c.query, "")
			var e struct{ Error string }
			a.decode(t, &e)
			if a.status != 400 || !strings.Contains(e.Error, c.says) {
				t.Fatalf("%d %s; want 400 saying %q", a.status, a.body, c.says)
			}
		})
	}
}

func TestTheAuditAPISaysWhenNoAuditIsKept(t *testing.T) {
	s := newAPISite(t, false)
	a := s.do(t, http.MethodGet, "/api/audit", "")
	if a.status != 404 || !strings.Contains(a.body, "no audit is kept") {
		t.Fatalf("%d %s", a.status, a.body)
	}
}
