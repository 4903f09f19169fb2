package protocol

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLinksMessagesOnTheWire(t *testing.T) {
	hash := HashToken("a-customer-token-0123456789")
	expires := time.Date(2027, 1, 31, 18, 0, 0, 0, time.UTC)
	start := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		msg  any
		want string
	}{
		{"a producer offers a link by its hash, expiry and cap", NewLinksOffer([]LinkOffer{NewLinkOffer("Acme QA", hash, expires, 2)}),
			`{"type":"links","links":[{"name":"Acme QA","hash":"` + fmt.Sprintf("%x", hash) + `","expires_at":"2027-01-31T18:00:00Z","max_viewers":2}]}`},
		{"a link that never expires and has no cap says neither", NewLinksOffer([]LinkOffer{NewLinkOffer("B", hash, time.Time{}, 0)}),
			`{"type":"links","links":[{"name":"B","hash":"` + fmt.Sprintf("%x", hash) + `"}]}`},
		{"no links is an empty list, never null", NewLinksOffer(nil), `{"type":"links","links":[]}`},
		{"a count without links says none", NewViewerCount(2).WithLinks(map[string]int{}), `{"count":2,"type":"viewers"}`},
		{"a count with links counts each", NewViewerCount(3).WithLinks(map[string]int{"Acme QA": 2}), `{"count":3,"type":"viewers","links":{"Acme QA":2}}`},
		{"records of connections that ended", NewAuditRecords([]AuditRecord{{Link: "Acme QA", Stream: "cam", Addr: "203.0.113.9:5000", Kind: "ws",
			Start: start, End: start.Add(time.Minute), Bytes: 1234, Reason: "revoked"}}),
			`{"type":"audit","records":[{"link":"Acme QA","stream":"cam","addr":"203.0.113.9:5000","kind":"ws","start":"2026-12-06T10:00:00Z","end":"2026-12-06T10:01:00Z","bytes":1234,"reason":"revoked"}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Fatalf("got  %s\nwant %s", b, c.want)
			}
		})
	}
}

func TestEachSideReadsTheLinksMessagesTheOtherSends(t *testing.T) {
	hash := HashToken("a-customer-token-0123456789")
	offer := NewLinksOffer([]LinkOffer{NewLinkOffer("Acme QA", hash, time.Date(2027, 1, 31, 18, 0, 0, 0, time.UTC), 2)})
	b, _ := json.Marshal(offer)
	got, err := ParseProducerMessage(b)
	if err != nil || !reflect.DeepEqual(got, offer) {
		t.Fatalf("relay read %#v, %v; want %#v", got, err, offer)
	}
	h, exp, err := got.(LinksOffer).Links[0].Parse()
	if err != nil || h != hash || !exp.Equal(time.Date(2027, 1, 31, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("parsed %x %v %v", h, exp, err)
	}
	for _, sent := range []RelayMessage{
		NewViewerCount(3).WithLinks(map[string]int{"Acme QA": 2, "B": 1}),
		NewAuditRecords([]AuditRecord{{Link: "B", Stream: "cam", Addr: "a", Kind: "mjpeg", Start: time.Unix(1, 0).UTC(), End: time.Unix(2, 0).UTC(), Bytes: 9}}),
	} {
		b, _ := json.Marshal(sent)
		got, err := ParseRelayMessage(b)
		if err != nil || !reflect.DeepEqual(got, sent) {
			t.Fatalf("producer read %#v, %v; want %#v", got, err, sent)
		}
	}
}

func TestLinksMessagesOverTheirBoundsAreRefused(t *testing.T) {
	many := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, ",")
	}
	long := strings.Repeat("x", MaxLinkName+1)
	relay := []struct{ name, msg string }{
		{"more audit records than a message holds", `{"type":"audit","records":[` + many(MaxAuditRecords+1, func(int) string { return `{"link":"a"}` }) + `]}`},
		{"an audit record of a link name too long", `{"type":"audit","records":[{"link":"` + long + `"}]}`},
		{"an audit record with a huge address", `{"type":"audit","records":[{"addr":"` + strings.Repeat("1", 300) + `"}]}`},
		{"counts of more links than there may be", `{"type":"viewers","count":1,"links":{` + many(MaxLinkOffers+1, func(i int) string { return fmt.Sprintf(`"l%d":1`, i) }) + `}}`},
		{"a negative count of a link", `{"type":"viewers","count":1,"links":{"a":-1}}`},
		{"a count of a link name too long", `{"type":"viewers","count":1,"links":{"` + long + `":1}}`},
	}
	for _, c := range relay {
		t.Run(c.name, func(t *testing.T) {
			if m, err := ParseRelayMessage([]byte(c.msg)); err == nil {
				t.Fatalf("read %#v", m)
			}
		})
	}
	t.Run("more links than there may be", func(t *testing.T) {
		msg := `{"type":"links","links":[` + many(MaxLinkOffers+1, func(i int) string { return fmt.Sprintf(`{"name":"l%d"}`, i) }) + `]}`
		if m, err := ParseProducerMessage([]byte(msg)); err == nil {
			t.Fatalf("read %d links", len(m.(LinksOffer).Links))
		}
	})
	t.Run("links that are not a list", func(t *testing.T) {
		if m, err := ParseProducerMessage([]byte(`{"type":"links","links":{"a":1}}`)); err == nil {
			t.Fatalf("read %#v", m)
		}
	})
	for _, bad := range []LinkOffer{{Name: "a", Hash: "abc"}, {Name: "a", Hash: strings.Repeat("g", 64)},
		{Name: "a", Hash: strings.Repeat("a", 64), ExpiresAt: "tomorrow"}} {
		if _, _, err := bad.Parse(); err == nil {
			t.Errorf("%+v parsed", bad)
		}
	}
}

func TestARelayFromBeforeLinksIsKnownByItsRefusal(t *testing.T) {
	_, err := ParseProducerMessage([]byte(`{"type":"bitrate"}`))
	if err == nil || !RefusesLinks(err.Error()) {
		t.Fatalf("an unknown type's refusal %v is not the old relays' one", err)
	}
	if RefusesLinks("links: link \"a\" twice") || RefusesLinks("frame 3: not a JPEG") {
		t.Fatal("a new relay's refusal of bad links, or of a frame, taken for an old relay's")
	}
}

// FuzzControlMessages: any bytes either parse or give an error, never a
// panic, and what parses is within its bounds.
func FuzzControlMessages(f *testing.F) {
	f.Add([]byte(`{"type":"links","links":[{"name":"a","hash":"00","expires_at":"2027-01-01T00:00:00Z","max_viewers":1}]}`))
	f.Add([]byte(`{"type":"audit","records":[{"link":"a","start":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"type":"viewers","count":1,"links":{"a":1}}`))
	f.Add([]byte(`{"type":"links","links":null}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if m, err := ParseProducerMessage(msg); err == nil {
			if o, ok := m.(LinksOffer); ok {
				if o.Links == nil || len(o.Links) > MaxLinkOffers {
					t.Fatalf("an offer of %d links (nil %v)", len(o.Links), o.Links == nil)
				}
				for _, l := range o.Links {
					_, _, _ = l.Parse()
				}
			}
		}
		m, err := ParseRelayMessage(msg)
		if err != nil {
			return
		}
		switch m := m.(type) {
		case AuditRecords:
			if m.check() != nil {
				t.Fatal("records over their bounds read")
			}
		case ViewerCount:
			if m.checkLinks() != nil {
				t.Fatal("counts over their bounds read")
			}
		}
	})
}
