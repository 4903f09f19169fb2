package tsgen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Source reads doc comments, parameter names and constants from the Go
// files of one module's packages (the parts of the Go side that reflection
// cannot see). Packages outside the module have no docs. Safe for
// concurrent use.
type Source struct {
	root   string // the module's directory
	module string // its path, from go.mod

	mu   sync.Mutex
	pkgs map[string]*pkgSource // by import path; nil when not in the module
}

// pkgSource is what one package's files say.
type pkgSource struct {
	types   map[string]string // type name → doc
	fields  map[string]string // "Type.Field" → doc
	methods map[string]Method // "Recv.Method" → doc and parameters
	consts  []Const
}

// Method is what the source says of a method.
type Method struct {
	Doc    string
	Params []string // the parameters' names; "" for unnamed ones
}

// Const is a string constant declared at package level.
type Const struct {
	Name, Value, Doc string
}

// NewSource reads go.mod in root.
func NewSource(root string) (*Source, error) {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("read the module's go.mod: %w", err)
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
	}
	return &Source{root: root, module: string(m[1]), pkgs: map[string]*pkgSource{}}, nil
}

// Dir is the directory of the module's package importPath, or "" when the
// package is not in the module.
func (s *Source) Dir(importPath string) string {
	if importPath == s.module {
		return s.root
	}
	rel, ok := strings.CutPrefix(importPath, s.module+"/")
	if !ok {
		return ""
	}
	return filepath.Join(s.root, filepath.FromSlash(rel))
}

// pkg parses the non-test files of package importPath once.
func (s *Source) pkg(importPath string) (*pkgSource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pkgs[importPath]; ok {
		return p, nil
	}
	dir := s.Dir(importPath)
	if dir == "" {
		s.pkgs[importPath] = nil
		return nil, nil
	}
	files, err := ParseDir(dir)
	if err != nil {
		return nil, err
	}
	p := &pkgSource{types: map[string]string{}, fields: map[string]string{}, methods: map[string]Method{}}
	for _, f := range files {
		p.add(f)
	}
	s.pkgs[importPath] = p
	return p, nil
}

// ParseDir parses the Go files of the package in dir, tests left out, with
// comments.
func ParseDir(dir string) ([]*ast.File, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		files = append(files, f)
	}
	return files, nil
}

func (p *pkgSource) add(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					doc := sp.Doc
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					p.types[sp.Name.Name] = doc.Text()
					if st, ok := sp.Type.(*ast.StructType); ok {
						p.addFields(sp.Name.Name, st)
					}
				case *ast.ValueSpec:
					if d.Tok == token.CONST {
						p.addConsts(sp)
					}
				}
			}
		case *ast.FuncDecl:
			if d.Recv == nil || len(d.Recv.List) != 1 {
				continue
			}
			recv := d.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			id, ok := recv.(*ast.Ident)
			if !ok {
				continue
			}
			m := Method{Doc: d.Doc.Text()}
			for _, fld := range d.Type.Params.List {
				if len(fld.Names) == 0 {
					m.Params = append(m.Params, "")
				}
				for _, n := range fld.Names {
					m.Params = append(m.Params, n.Name)
				}
			}
			p.methods[id.Name+"."+d.Name.Name] = m
		}
	}
}

func (p *pkgSource) addFields(typ string, st *ast.StructType) {
	for _, fld := range st.Fields.List {
		doc := fld.Doc.Text()
		if doc == "" {
			doc = fld.Comment.Text()
		}
		names := fld.Names
		if len(names) == 0 { // embedded: named after its type
			t := fld.Type
			if star, ok := t.(*ast.StarExpr); ok {
				t = star.X
			}
			if sel, ok := t.(*ast.SelectorExpr); ok {
				t = sel.Sel
			}
			if id, ok := t.(*ast.Ident); ok {
				names = []*ast.Ident{id}
			}
		}
		for _, n := range names {
			p.fields[typ+"."+n.Name] = doc
		}
	}
}

func (p *pkgSource) addConsts(sp *ast.ValueSpec) {
	for i, n := range sp.Names {
		if i >= len(sp.Values) {
			continue
		}
		lit, ok := sp.Values[i].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			continue
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil {
			continue
		}
		p.consts = append(p.consts, Const{Name: n.Name, Value: v, Doc: sp.Doc.Text()})
	}
}

// Type returns the doc comment of named type t, or "". Docs are a nicety:
// a package whose files do not parse does not build either, so Type and
// Field leave its docs out rather than fail.
func (s *Source) Type(t reflect.Type) string {
	if p, _ := s.pkg(t.PkgPath()); p != nil {
		return p.types[t.Name()]
	}
	return ""
}

// Field returns the doc comment, or the line comment, of struct owner's
// field goName, or "".
func (s *Source) Field(owner reflect.Type, goName string) string {
	if p, _ := s.pkg(owner.PkgPath()); p != nil && owner.Name() != "" {
		return p.fields[owner.Name()+"."+goName]
	}
	return ""
}

// Method returns what the source says of recv's method name; recv is a
// named type or a pointer to one.
func (s *Source) Method(recv reflect.Type, name string) (Method, error) {
	if recv.Kind() == reflect.Pointer {
		recv = recv.Elem()
	}
	p, err := s.pkg(recv.PkgPath())
	if err != nil || p == nil {
		return Method{}, err
	}
	return p.methods[recv.Name()+"."+name], nil
}

// Consts returns the string constants of package importPath whose names
// start with prefix, in source order.
func (s *Source) Consts(importPath, prefix string) ([]Const, error) {
	p, err := s.pkg(importPath)
	if err != nil || p == nil {
		return nil, err
	}
	var out []Const
	for _, c := range p.consts {
		if strings.HasPrefix(c.Name, prefix) {
			out = append(out, c)
		}
	}
	return out, nil
}
