// Package tsgen writes TypeScript for Go types as encoding/json reads and
// writes them, so a TypeScript caller of a Go API gets its types from the Go
// code instead of a hand-made copy. cmd/tsgen uses it for the desktop
// window's contract.
//
// The mapping: a named struct becomes an interface named after its package
// and type (engine.Settings is EngineSettings), with one member per JSON
// member: json tags give the names, "-" drops a field, omitempty and
// omitzero make it optional, and embedded structs are flattened as
// encoding/json flattens them. Numbers are number, []byte and time.Time are
// string (as are types that marshal as text), a pointer is T | null, a map
// is Record<string, V>, and a slice is T[]; Go writes a nil slice as null,
// so a Go side that must send [] makes its slices non-nil.
package tsgen

import (
	"encoding"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Docs gives the doc comments the TypeScript repeats. Nil is allowed.
type Docs interface {
	// Type returns the doc comment of the named type t, or "".
	Type(t reflect.Type) string
	// Field returns the doc comment of struct owner's field goName, or "".
	Field(owner reflect.Type, goName string) string
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// Types collects the named struct types that TypeScript expressions refer
// to, so that Write declares each of them once. It is not safe for
// concurrent use.
type Types struct {
	docs   Docs
	byName map[string]reflect.Type // every struct referred to, by its TypeScript name
}

// NewTypes returns an empty collection; docs may be nil.
func NewTypes(docs Docs) *Types {
	return &Types{docs: docs, byName: map[string]reflect.Type{}}
}

// Name is the TypeScript name of named type t: its package's name and its
// own, so that engine.Settings and config.Settings stay apart.
func Name(t reflect.Type) string {
	pkg := path.Base(t.PkgPath())
	return strings.ToUpper(pkg[:1]) + pkg[1:] + t.Name()
}

// Expr returns the TypeScript type of a JSON value of Go type t. Named
// structs it meets are declared by Write.
func (ts *Types) Expr(t reflect.Type) (string, error) { return ts.expr(t, "") }

// expr is Expr for a type written at indent: an anonymous struct is
// written in place, its members one level deeper.
func (ts *Types) expr(t reflect.Type, indent string) (string, error) {
	switch {
	case t == timeType:
		return "string", nil
	case t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType):
		return "", fmt.Errorf("%v marshals itself as JSON: its TypeScript type is unknown", t)
	case t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType):
		return "string", nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean", nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number", nil
	case reflect.String:
		return "string", nil
	case reflect.Interface:
		return "unknown", nil
	case reflect.Pointer:
		elem, err := ts.expr(t.Elem(), indent)
		if err != nil {
			return "", err
		}
		return elem + " | null", nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(jsonMarshalerType) &&
			!reflect.PointerTo(t.Elem()).Implements(textMarshalerType) {
			return "string", nil // base64
		}
		elem, err := ts.expr(t.Elem(), indent)
		if err != nil {
			return "", err
		}
		if strings.Contains(elem, " | ") {
			elem = "(" + elem + ")"
		}
		return elem + "[]", nil
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			if !t.Key().Implements(textMarshalerType) {
				return "", fmt.Errorf("%v: encoding/json cannot write a map with %v keys", t, t.Key())
			}
		}
		elem, err := ts.expr(t.Elem(), indent)
		if err != nil {
			return "", err
		}
		return "Record<string, " + elem + ">", nil
	case reflect.Struct:
		if t.Name() == "" {
			return ts.object(t, indent)
		}
		name := Name(t)
		if seen, ok := ts.byName[name]; ok && seen != t {
			return "", fmt.Errorf("%v and %v would both be %s in TypeScript", seen, t, name)
		}
		if _, ok := ts.byName[name]; !ok {
			ts.byName[name] = t
			// Check the members now, so an error names the type that uses them.
			if _, err := ts.object(t, ""); err != nil {
				delete(ts.byName, name)
				return "", err
			}
		}
		return name, nil
	}
	return "", fmt.Errorf("%v: encoding/json cannot write a %v", t, t.Kind())
}

// object returns struct t as a TypeScript object type, its members indented
// by indent+"  ".
func (ts *Types) object(t reflect.Type, indent string) (string, error) {
	var b strings.Builder
	b.WriteString("{\n")
	for _, f := range jsonFields(t) {
		typ := "string"
		if !f.quoted {
			var err error
			if typ, err = ts.expr(f.typ, indent+"  "); err != nil {
				return "", fmt.Errorf("%v.%s: %w", t, f.goName, err)
			}
		}
		if ts.docs != nil {
			b.WriteString(Comment(indent+"  ", ts.docs.Field(f.owner, f.goName)))
		}
		opt := ""
		if f.optional {
			opt = "?"
		}
		fmt.Fprintf(&b, "%s  %s%s: %s;\n", indent, PropertyName(f.name), opt, typ)
	}
	b.WriteString(indent + "}")
	return b.String(), nil
}

// Write declares every named struct met so far as an exported interface,
// sorted by name, with its Go name and doc comment.
func (ts *Types) Write(b *strings.Builder) error {
	// Declaring one may meet more: loop until none is new.
	done := map[string]bool{}
	for {
		var names []string
		for name := range ts.byName {
			if !done[name] {
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			return nil
		}
		slices.Sort(names)
		for _, name := range names {
			done[name] = true
		}
		for _, name := range names {
			t := ts.byName[name]
			body, err := ts.object(t, "")
			if err != nil {
				return err
			}
			doc := path.Base(t.PkgPath()) + "." + t.Name()
			if ts.docs != nil {
				if d := ts.docs.Type(t); d != "" {
					doc += "\n\n" + d
				}
			}
			fmt.Fprintf(b, "\n%sexport interface %s %s\n", Comment("", doc), name, body)
		}
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// PropertyName is name as a TypeScript property name, quoted when it must be.
func PropertyName(name string) string {
	if identifier.MatchString(name) {
		return name
	}
	return Quote(name)
}

// Quote is s as a single-quoted TypeScript string.
func Quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	inner := string(b[1 : len(b)-1])
	inner = strings.ReplaceAll(inner, `\"`, `"`)
	inner = strings.ReplaceAll(inner, `'`, `\'`)
	return "'" + inner + "'"
}

// Comment is text as a JSDoc comment at indent, ending in a newline, or ""
// for no text.
func Comment(indent, text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "*/", "*\\/"))
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		return indent + "/** " + text + " */\n"
	}
	var b strings.Builder
	b.WriteString(indent + "/**\n")
	for _, l := range lines {
		b.WriteString(strings.TrimRight(indent+" * "+l, " ") + "\n")
	}
	b.WriteString(indent + " */\n")
	return b.String()
}
