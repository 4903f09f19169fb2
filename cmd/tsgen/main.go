// Command tsgen writes the desktop window's contract with the Go side, from
// the Go code: frontend/src/desktop/generated.ts (app.App's bound methods,
// the types they take and return, the events the app sends with their
// payload types, and the resolution presets) and
// frontend/e2e/desktop-contract.json (the same facts as data, with the
// processors and default settings, for the e2e suite's fake bindings).
//
// Run it from the repository's root after changing any of them:
// `go run ./cmd/tsgen`, or make generate. Its test, part of make test,
// fails while the files are stale; -check does the same check at once.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	check := flag.Bool("check", false, "write nothing; fail if a file is not what tsgen would write")
	flag.Parse()
	if err := run(*root, *check); err != nil {
		fmt.Fprintln(os.Stderr, "tsgen:", err)
		os.Exit(1)
	}
}

func run(root string, check bool) error {
	files, err := generate(root)
	if err != nil {
		return err
	}
	if check {
		return stale(root, files)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(root, filepath.FromSlash(name))
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		fmt.Println("tsgen: wrote", name)
	}
	return nil
}

// stale returns an error naming each file under root that differs from
// what tsgen would write, and its first differing line.
func stale(root string, files map[string][]byte) error {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(files)) {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		if !bytes.Equal(old, files[name]) {
			problems = append(problems, fmt.Sprintf("%s is stale: %s", name, firstDiff(string(old), string(files[name]))))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the Go side changed; run `go run ./cmd/tsgen` (make generate) and commit the result:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

// firstDiff describes the first line where have and want differ.
func firstDiff(have, want string) string {
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := range max(len(h), len(w)) {
		var hl, wl string
		if i < len(h) {
			hl = h[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if hl != wl {
			return fmt.Sprintf("line %d is %q, Go says %q", i+1, hl, wl)
		}
	}
	return "the files differ"
}
