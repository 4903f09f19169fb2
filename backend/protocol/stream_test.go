package protocol

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidStreamName(t *testing.T) {
	cases := []struct {
		name, stream string
		want         bool
	}{
		{"a plain name is valid", "cam", true},
		{"dots inside a name are valid", "site.line-1_b", true},
		{"64 characters are valid", strings.Repeat("a", 64), true},
		{"an empty name is not", "", false},
		{"65 characters are not", strings.Repeat("a", 65), false},
		{"a name ending in a dot is not: NATS refuses the empty subject token", "a.", false},
		{"two dots in a row are not: NATS refuses the empty subject token", "a..b", false},
		{"a leading dot is not", ".a", false},
		{"a space is not", "a b", false},
		{"a NATS wildcard * is not", "a*", false},
		{"a NATS wildcard > is not", "a.>", false},
		{"a slash is not", "a/b", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ValidStreamName(c.stream); got != c.want {
				t.Fatalf("ValidStreamName(%q) = %v, want %v", c.stream, got, c.want)
			}
		})
	}
}

func TestQuoteBoundsWhatItEchoes(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"a short string is quoted whole", "360p", `"360p"`},
		{"64 characters are quoted whole", strings.Repeat("x", 64), `"` + strings.Repeat("x", 64) + `"`},
		{"a megabyte is cut to 64 characters and an ellipsis", strings.Repeat("x", 1<<20), `"` + strings.Repeat("x", 64) + `"…`},
		{"characters, not bytes, are counted", strings.Repeat("é", 100), `"` + strings.Repeat("é", 64) + `"…`},
		{"control characters are escaped", "a\nb", `"a\nb"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Quote(c.in); got != c.want {
				t.Fatalf("Quote = %.100q, want %.100q", got, c.want)
			}
		})
	}
}

func TestTruncateKeepsWholeCharacters(t *testing.T) {
	got := Truncate(strings.Repeat("é", 600), 512)
	if len(got) > 512 || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Fatalf("Truncate gave %d bytes, valid UTF-8 %v: %.40q", len(got), utf8.ValidString(got), got)
	}
	if Truncate("short", 512) != "short" {
		t.Fatal("a short string was changed")
	}
}
