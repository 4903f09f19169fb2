package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"framecast/internal/tsgen"
)

// findResolutions reads SetResolution's presets from the Go source: the
// package-level map named resolutions (or Resolutions) of type
// map[string][2]int, in app or in a backend package. Reflection cannot
// see an unexported variable, so the source is read instead; when the map
// moves or changes its shape, tsgen fails and says so.
func findResolutions(root string) ([]preset, error) {
	var found []preset
	var where []string
	for _, top := range []string{"app", "backend"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(dir string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			if name := d.Name(); name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			files, err := tsgen.ParseDir(dir)
			if err != nil {
				return err
			}
			for _, f := range files {
				ps, ok, err := resolutionsIn(f)
				if err != nil {
					return fmt.Errorf("%s: %w", dir, err)
				}
				if ok {
					found = ps
					where = append(where, dir)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	switch {
	case len(where) == 0:
		return nil, errors.New("found no package-level `resolutions = map[string][2]int{...}` in app/ or backend/: tell cmd/tsgen where SetResolution's presets are now")
	case len(where) > 1:
		return nil, fmt.Errorf("found resolution presets in %s: keep one", strings.Join(where, " and "))
	}
	slices.SortFunc(found, func(a, b preset) int {
		// Smallest first; 0 × 0, the source's own size, last.
		if (a.width == 0) != (b.width == 0) {
			if a.width == 0 {
				return 1
			}
			return -1
		}
		if a.width != b.width {
			return a.width - b.width
		}
		return strings.Compare(a.name, b.name)
	})
	return found, nil
}

// resolutionsIn looks for the presets' map in one file.
func resolutionsIn(f *ast.File) ([]preset, bool, error) {
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if (name.Name != "resolutions" && name.Name != "Resolutions") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.CompositeLit)
				if !ok {
					return nil, false, fmt.Errorf("%s is not a map literal", name.Name)
				}
				ps, err := presetsOf(lit)
				if err != nil {
					return nil, false, fmt.Errorf("%s: %w", name.Name, err)
				}
				return ps, true, nil
			}
		}
	}
	return nil, false, nil
}
