package tsgen

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

type inner struct {
	A int    `json:"a"`
	B string `json:"b"`
}

type Outer struct {
	inner               // unexported but embedded: its fields are promoted
	B      string       `json:"b"` // shallower, so it hides inner's B
	Opt    *int         `json:"opt,omitempty"`
	Zero   bool         `json:"zero,omitzero"`
	Skip   string       `json:"-"`
	Dash   string       `json:"a-b"` // not an identifier
	Quoted int64        `json:"quoted,string"`
	Untagd float64      // no tag: the Go name
	hidden string       //nolint:unused // unexported: left out
	Bytes  []byte       `json:"bytes"`
	When   time.Time    `json:"when"`
	Addr   netip.Addr   `json:"addr"` // marshals as text
	Ptrs   []*Leaf      `json:"ptrs"`
	ByID   map[int]Leaf `json:"byId"`
	Any    any          `json:"any"`
	Anon   struct {
		X int `json:"x"`
	} `json:"anon"`
}

type Leaf struct {
	Name string `json:"name"`
}

// Tie embeds two structs whose fields share a name at one depth: encoding/json
// writes neither.
type Tie struct {
	L1
	L2
}

type L1 struct {
	N int
	P int `json:"p"`
}

type L2 struct {
	N int
}

type Marshals struct{}

func (Marshals) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

type docs struct{}

func (docs) Type(t reflect.Type) string { return "doc of " + t.Name() }
func (docs) Field(owner reflect.Type, name string) string {
	if name == "Opt" {
		return "Opt is optional."
	}
	return ""
}

func TestMembersAreWhatEncodingJSONWrites(t *testing.T) {
	one := 1
	for _, tc := range []struct {
		name string
		v    any // with its omitempty fields set, so encoding/json writes every member
	}{
		{"flattening, hiding, tags and options", Outer{Opt: &one, Zero: true}},
		{"a tie at one depth hides both", Tie{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, f := range jsonFields(reflect.TypeOf(tc.v)) {
				got = append(got, f.name)
			}
			for k := range m {
				want = append(want, k)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("tsgen lists %q; encoding/json wrote %s", got, b)
			}
		})
	}
}

func TestTypeScript(t *testing.T) {
	ts := NewTypes(docs{})
	name, err := ts.Expr(reflect.TypeFor[Outer]())
	if err != nil || name != "TsgenOuter" {
		t.Fatalf("Expr = %q, %v; want TsgenOuter", name, err)
	}
	var b strings.Builder
	if err := ts.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, tc := range []struct{ name, want string }{
		{"the Go name and doc head the interface", "/**\n * tsgen.Outer\n *\n * doc of Outer\n */\nexport interface TsgenOuter {\n"},
		{"promoted fields come first, in Go's order", "{\n  a: number;\n  b: string;\n"},
		{"a pointer may be null, omitempty may be missing", "  /** Opt is optional. */\n  opt?: number | null;\n"},
		{"omitzero may be missing", "  zero?: boolean;\n"},
		{"a name that is no identifier is quoted", "  'a-b': string;\n"},
		{",string makes a string", "  quoted: string;\n"},
		{"an untagged field keeps its Go name", "  Untagd: number;\n"},
		{"[]byte is base64", "  bytes: string;\n"},
		{"time.Time is a string", "  when: string;\n"},
		{"a text marshaler is a string", "  addr: string;\n"},
		{"a slice of pointers", "  ptrs: (TsgenLeaf | null)[];\n"},
		{"a map with number keys", "  byId: Record<string, TsgenLeaf>;\n"},
		{"an interface is unknown", "  any: unknown;\n"},
		{"an anonymous struct is inline", "  anon: {\n    x: number;\n  };\n"},
		{"a referred struct is declared too", "export interface TsgenLeaf {\n  name: string;\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
	for _, absent := range []string{"Skip", "hidden", "inner"} {
		if strings.Contains(out, absent) {
			t.Errorf("output has %q:\n%s", absent, out)
		}
	}
}

func TestWhatTypeScriptCannotSayIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"a type with its own MarshalJSON", reflect.TypeFor[Marshals](), "marshals itself"},
		{"a channel", reflect.TypeFor[chan int](), "cannot write"},
		{"a function field", reflect.TypeFor[struct{ F func() }](), "cannot write"},
		{"a map with struct keys", reflect.TypeFor[map[Leaf]int](), "keys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTypes(nil).Expr(tc.typ)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestComment(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"no text, no comment", "  \n", ""},
		{"one line stays on one line", "Short.", "/** Short. */\n"},
		{"lines become a block", "One.\nTwo.\n", "/**\n * One.\n * Two.\n */\n"},
		{"a comment end is defused", "a */ b", "/** a *\\/ b */\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Comment("", tc.text); got != tc.want {
				t.Errorf("Comment(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
