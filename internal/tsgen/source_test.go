package tsgen

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSourceReadsDocsNamesAndConstants reads a small module made for it.
func TestSourceReadsDocsNamesAndConstants(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	write("p/p.go", `package p

// Thing is a thing.
type Thing struct {
	// Size is how big.
	Size int
	Name string // what to call it
}

// Grow makes it bigger by n.
func (t *Thing) Grow(n int, _ string) {}

const (
	// EventA is the first.
	EventA = "a:1"
	EventB = "b:2"
	Other  = "x"
)
`)
	write("p/p_test.go", "package p\n\n// Thing is not this.\ntype Hidden struct{}\n")
	src, err := NewSource(root)
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.pkg("example.com/m/p")
	if err != nil || p == nil {
		t.Fatalf("pkg = %v, %v", p, err)
	}
	for _, tc := range []struct{ name, got, want string }{
		{"a type's doc", p.types["Thing"], "Thing is a thing.\n"},
		{"a field's doc comment", p.fields["Thing.Size"], "Size is how big.\n"},
		{"a field's line comment", p.fields["Thing.Name"], "what to call it\n"},
		{"a method's doc", p.methods["Thing.Grow"].Doc, "Grow makes it bigger by n.\n"},
		{"test files are left out", p.types["Hidden"], ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	if got := p.methods["Thing.Grow"].Params; !slices.Equal(got, []string{"n", "_"}) {
		t.Errorf("Grow's parameters = %q", got)
	}
	consts, err := src.Consts("example.com/m/p", "Event")
	if err != nil {
		t.Fatal(err)
	}
	want := []Const{{Name: "EventA", Value: "a:1", Doc: "EventA is the first.\n"}, {Name: "EventB", Value: "b:2"}}
	if !slices.Equal(consts, want) {
		t.Errorf("Consts = %q, want %q", consts, want)
	}
	if d := src.Dir("other.org/x"); d != "" {
		t.Errorf("Dir of a package outside the module = %q, want none", d)
	}
}
