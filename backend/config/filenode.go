package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"framecast/backend/protocol"
)

// maxFileErrors bounds the problems reported for one file: a file of a
// thousand bad lines says the first ones and that there are more.
const maxFileErrors = 20

// fileParser reads a config file's node tree, collecting every problem
// with the line it is on.
type fileParser struct {
	errs []error
	more bool // problems past maxFileErrors were left out
}

// fail records a problem at n's line; path names the key, "" none.
func (p *fileParser) fail(n *yaml.Node, path string, err error) {
	if len(p.errs) == maxFileErrors {
		p.more = true
		return
	}
	if path != "" {
		err = fmt.Errorf("%s: %w", path, err)
	}
	p.errs = append(p.errs, fmt.Errorf("line %d: %w", n.Line, err))
}

// failf is fail with a message of its own.
func (p *fileParser) failf(n *yaml.Node, path, format string, args ...any) {
	p.fail(n, path, fmt.Errorf(format, args...))
}

// err joins the problems, or is nil.
func (p *fileParser) err() error {
	if p.more {
		return errors.Join(append(p.errs, fmt.Errorf("and more problems after these %d", maxFileErrors))...)
	}
	return errors.Join(p.errs...)
}

// plain reports whether n may be read as a value: anchors and aliases are
// refused, so a file cannot make one node stand for many (the "billion
// laughs"), and so each value is where it is written.
func (p *fileParser) plain(n *yaml.Node, path string) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.failf(n, path, "anchors (&) and aliases (*) are not supported: write each value out")
		return false
	}
	return true
}

// isNull reports whether n is an empty value (key: with nothing after it,
// or null), which leaves the key at its default.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// pair is one key and its value in a mapping.
type pair struct {
	name   string
	key, v *yaml.Node
}

// mapping returns n's keys and values in the file's order, refusing keys
// that are not plain words and keys written twice. A null n is empty.
func (p *fileParser) mapping(n *yaml.Node, path string) []pair {
	if !p.plain(n, path) || isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.failf(n, path, "must be a mapping of keys and values (key: value on lines of their own)")
		return nil
	}
	var out []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Anchor != "" || k.Tag == "!!null" {
			p.failf(k, path, "keys must be plain names")
			continue
		}
		if k.Value == "<<" {
			p.failf(k, join(path, "<<"), "merge keys are not supported: write each value out")
			continue
		}
		if first, ok := seen[k.Value]; ok {
			p.failf(k, join(path, quoteKey(k.Value)), "written twice (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, pair{k.Value, k, v})
	}
	return out
}

// unknown reports a key its section does not have, naming those it has.
func (p *fileParser) unknown(kv pair, path string, known []string) {
	where := "the file"
	if path != "" {
		where = path + ":"
	}
	p.failf(kv.key, join(path, quoteKey(kv.name)), "unknown key (%s takes %s)", where, strings.Join(known, ", "))
}

// str reads a scalar as text: a token or a name of digits is text too.
func (p *fileParser) str(n *yaml.Node, path string) (string, bool) {
	if !p.plain(n, path) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || !slices.Contains([]string{"!!str", "!!int", "!!float", "!!bool", "!!null"}, n.Tag) {
		p.failf(n, path, "must be a single value, such as text or a number")
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	return n.Value, true
}

// integer reads a whole number.
func (p *fileParser) integer(n *yaml.Node, path string) (int, bool) {
	var v int
	if !p.plain(n, path) {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		p.failf(n, path, "%s is not a whole number", quoteNode(n))
		return 0, false
	}
	return v, true
}

// boolean reads true or false.
func (p *fileParser) boolean(n *yaml.Node, path string) (bool, bool) {
	var v bool
	if !p.plain(n, path) {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		p.failf(n, path, "%s is not true or false", quoteNode(n))
		return false, false
	}
	return v, true
}

// list reads a list of texts, or one text of items separated by commas.
func (p *fileParser) list(n *yaml.Node, path string) ([]string, bool) {
	if !p.plain(n, path) {
		return nil, false
	}
	var items []string
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			s, ok := p.str(c, path)
			if !ok {
				return nil, false
			}
			items = append(items, s)
		}
	} else {
		s, ok := p.str(n, path)
		if !ok {
			return nil, false
		}
		items = strings.Split(s, ",")
	}
	var out []string
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

// join names a key inside a section: "streams.line-2.quality".
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// quoteKey writes a key as it goes into a path: as it is when it is a
// plain word, quoted (and cut when long) when not.
func quoteKey(k string) string {
	if k != "" && strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "" && len(k) <= 64 {
		return k
	}
	return protocol.Quote(k)
}

// quoteNode writes what a node holds, for a message.
func quoteNode(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return "a " + kindName(n.Kind)
	}
	return protocol.Quote(n.Value)
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}
