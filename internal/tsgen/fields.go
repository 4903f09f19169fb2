package tsgen

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// field is one JSON object member of a struct, as encoding/json names it.
type field struct {
	name     string       // the member's name in JSON
	goName   string       // the Go field's name, for its doc comment
	owner    reflect.Type // the struct that declares the field: itself or an embedded one
	typ      reflect.Type
	index    []int // the path through embedded structs; its length is the depth
	tagged   bool  // the name came from a json tag
	optional bool  // omitempty or omitzero: the member may be missing
	quoted   bool  // ",string": a number or bool is written as a string
}

// jsonFields lists the members encoding/json writes for struct type t, in
// its order. It follows encoding/json's typeFields: embedded structs without
// a tag name are flattened, and of several fields with one name the
// shallowest wins, then a tagged one; a tie hides them all.
func jsonFields(t reflect.Type) []field {
	var fields []field
	next := []field{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := range f.typ.NumField() {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				index := append(slices.Clip(f.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					fld := field{
						name: name, goName: sf.Name, owner: f.typ, typ: sf.Type, index: index,
						tagged:   name != "",
						optional: hasOption(opts, "omitempty") || hasOption(opts, "omitzero"),
						quoted:   hasOption(opts, "string") && quotable(ft.Kind()),
					}
					if fld.name == "" {
						fld.name = sf.Name
					}
					fields = append(fields, fld)
					if count[f.typ] > 1 {
						// The same struct twice at one depth: a second copy
						// makes the tie below hide its fields, as in encoding/json.
						fields = append(fields, fld)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, field{name: ft.Name(), index: index, typ: ft})
				}
			}
		}
	}
	slices.SortStableFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []field
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		// fields[i] is the dominant one unless the next ties with it.
		if j-i == 1 || len(fields[i].index) != len(fields[i+1].index) || fields[i].tagged != fields[i+1].tagged {
			out = append(out, fields[i])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return out
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// quotable tells whether ",string" applies to a field of kind k.
func quotable(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// validTag is encoding/json's rule for a usable tag name.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
