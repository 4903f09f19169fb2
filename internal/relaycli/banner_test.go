package relaycli

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

func TestTheBannerPrintsRealLinksAndNoSecretsUnlessAsked(t *testing.T) {
	const publish = "q+Zk/3vT9x1m0P2r8sYw4A==" // base64: '+', '/' and '=' need escaping in a query
	const legacy = "legacy/token+0123456789"
	loopback := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8188}
	for _, tc := range []struct {
		name      string
		b         banner
		want      []string // in the output
		wantNot   []string // never in it
		tokenLink string   // a producer link whose token must read back as publish
	}{
		{
			name:    "a given publish token is left out by default",
			b:       banner{addr: loopback, publishToken: publish},
			want:    []string{"Framecast relay on 127.0.0.1:8188\n", "ws://127.0.0.1:8188/ingest/<stream>?token=<publish token>&view=<view token>", "http://127.0.0.1:8188/s/<stream>/?token=<view token>", "--print-token"},
			wantNot: []string{publish, url.QueryEscape(publish), "HOST"},
		},
		{
			name:    "a made-up token is not printed where no person reads it",
			b:       banner{addr: loopback, publishToken: publish, made: true},
			want:    []string{"not printed", "--publish-token"},
			wantNot: []string{publish, url.QueryEscape(publish)},
		},
		{
			name:      "with --print-token the token is in the links, query-escaped",
			b:         banner{addr: loopback, publishToken: publish, print: true},
			want:      []string{"token=" + url.QueryEscape(publish) + "&view="},
			wantNot:   []string{publish, "HOST"},
			tokenLink: "ws://127.0.0.1:8188/ingest/cam?token=",
		},
		{
			name:    "TLS links are wss:// and https://",
			b:       banner{addr: loopback, publishToken: publish, tls: true},
			want:    []string{"wss://127.0.0.1:8188/ingest/", "https://127.0.0.1:8188/s/"},
			wantNot: []string{"ws://127", "http://127"},
		},
		{
			name:    "a relay on every interface names loopback, never HOST",
			b:       banner{addr: &net.TCPAddr{IP: net.IPv6unspecified, Port: 8188}, publishToken: publish},
			want:    []string{"ws://127.0.0.1:8188/ingest/", "http://127.0.0.1:8188/s/"},
			wantNot: []string{"HOST", publish},
		},
		{
			name: "an open legacy root prints its page's view token, which guards nothing / does not give",
			b: banner{addr: loopback, publishToken: publish, legacy: true, legacyStream: "default",
				legacyView: "view/token+0123456789"},
			want:    []string{"ws://127.0.0.1:8188/ (stream", "http://127.0.0.1:8188/s/default/?token=" + url.QueryEscape("view/token+0123456789")},
			wantNot: []string{publish, "HOST"},
		},
		{
			name: "the legacy setup hides its token by default",
			b: banner{addr: loopback, publishToken: publish, legacy: true, legacyStream: "default",
				legacyToken: legacy, legacyView: legacy},
			want:    []string{"ws://127.0.0.1:8188/?token=<legacy token>", "http://127.0.0.1:8188/s/default/?token=<legacy token>"},
			wantNot: []string{legacy, url.QueryEscape(legacy), "HOST"},
		},
		{
			name: "the legacy setup with --print-token escapes its token",
			b: banner{addr: loopback, publishToken: publish, print: true, legacy: true, legacyStream: "default",
				legacyToken: legacy, legacyView: legacy},
			want:    []string{"ws://127.0.0.1:8188/?token=" + url.QueryEscape(legacy), "/s/default/?token=" + url.QueryEscape(legacy)},
			wantNot: []string{"HOST", "token=" + legacy},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sb strings.Builder
			tc.b.write(&sb)
			out := sb.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("the banner lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("the banner has %q:\n%s", w, out)
				}
			}
			if tc.tokenLink != "" {
				for line := range strings.Lines(out) {
					i := strings.Index(line, "ws://")
					if i < 0 {
						continue
					}
					u, err := url.Parse(strings.ReplaceAll(strings.TrimSpace(line[i:]), "<stream>", "cam"))
					if err != nil {
						t.Fatalf("the producer link does not parse: %v", err)
					}
					if got := u.Query().Get("token"); got != publish {
						t.Fatalf("the producer link carries token %q, want %q", got, publish)
					}
				}
			}
		})
	}
}
