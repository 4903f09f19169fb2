package config

import (
	"strings"
	"testing"
)

func TestPushFromURLReadsServesIngestURL(t *testing.T) {
	cases := []struct {
		in, relay, stream, err string
	}{
		{"wss://relay.example.com:8188/ingest/line-3", "wss://relay.example.com:8188", "line-3", ""},
		{"ws://10.0.0.5/fc/ingest/a.b?x=1", "ws://10.0.0.5/fc", "a.b", ""},
		{"wss://relay.example.com/s/line/", "", "", "ingest URL"},
		{"wss://relay.example.com/ingest/", "", "", "ingest URL"},
		{"wss://relay.example.com/ingest/a/b", "", "", "ingest URL"},
		{"wss://relay.example.com/ingest/a%20b", "", "", "stream name"},
	}
	for _, c := range cases {
		p, err := PushFromURL(c.in, "publish-token-0123456789")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want one about %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || p.Relay != c.relay || p.Stream != c.stream || !p.Enabled {
			t.Errorf("%s: %+v, %v", c.in, p, err)
		}
	}
}

func TestPushFromURLTakesSeveralRelaysOfACluster(t *testing.T) {
	p, err := PushFromURL("ws://a:8188/ingest/line, wss://b/ingest/line", "publish-token-0123456789")
	if err != nil || p.Relay != "ws://a:8188,wss://b" || p.Stream != "line" {
		t.Fatalf("%+v, %v", p, err)
	}
	for i, want := range []string{"ws://a:8188/ingest/line", "wss://b/ingest/line"} {
		if u, err := IngestURL(strings.Split(p.Relay, ",")[i], p.Stream); err != nil || u != want {
			t.Fatalf("relay %d: %s, %v; want %s", i, u, err, want)
		}
	}
	if _, err := PushFromURL("ws://a/ingest/line,ws://b/ingest/other", "publish-token-0123456789"); err == nil || !strings.Contains(err.Error(), "same stream") {
		t.Fatalf("err = %v, want the names told apart", err)
	}
}
