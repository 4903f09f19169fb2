package cli

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestAllowOriginTakesOriginsOnly(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
		ok   bool
	}{
		{"one origin", []string{"--allow-origin", "https://Dashboard.example.com"}, []string{"https://dashboard.example.com"}, true},
		{"a list and a repeat", []string{"--allow-origin", "https://a.example, http://b.example:8080", "--allow-origin", "https://c.example/"},
			[]string{"https://a.example", "http://b.example:8080", "https://c.example"}, true},
		{"a URL with a path is refused", []string{"--allow-origin", "https://a.example/page"}, nil, false},
		{"a bare host is refused", []string{"--allow-origin", "a.example"}, nil, false},
		{"a wildcard is refused", []string{"--allow-origin", "*"}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset := flag.NewFlagSet("t", flag.ContinueOnError)
			fset.SetOutput(io.Discard)
			got := OriginFlag(fset)
			err := fset.Parse(c.args)
			if (err == nil) != c.ok {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			if c.ok && !slices.Equal(*got, c.want) {
				t.Fatalf("origins %q, want %q", *got, c.want)
			}
		})
	}
}
