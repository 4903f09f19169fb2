package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"

	"framecast/backend/protocol"
)

// SaveFile writes f's streams into the config file at path: settings
// changed, streams added, removed, renamed or reordered at run time. It
// reads the file as it is now and changes only the values that differ
// from f, so untouched keys and comments stay (docs/config.md says which
// comments go). The file's other settings are left as the file has them:
// they change by hand, for the next start; f.Record is the record:
// section the streams run with, and a stream recorded as it says leaves
// record: out, to follow the file's. A file that no longer reads
// is not written over. The new file replaces the old one at once: a crash
// leaves one or the other, never half of each. Saves of one file are made
// one at a time, under the caller's lock: two at once would each write
// what they read before the other.
func SaveFile(path string, f File) error { return saveFile(path, f, nil) }

// saveFile is SaveFile; beforeRename, when not nil, runs once the new
// file is written beside the old one, and its error stops the save there
// (for tests of a failing write).
func saveFile(path string, f File, beforeRename func(tmp string) error) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // replace the file a link points to, not the link
	}
	b, err := readLimited(path)
	if errors.Is(err, errTooBig) {
		return fmt.Errorf("save config file %s: it is over the %d KiB a config file can be; left as it is", path, MaxFileSize>>10)
	}
	if err != nil {
		return fmt.Errorf("save config file: %w", err)
	}
	disk, doc, err := parseFile(b)
	if err != nil {
		return fmt.Errorf("save config file %s: it no longer reads as a config file, so it is left as it is: %w", path, err)
	}
	if err := checkStreams(f.Streams); err != nil {
		return fmt.Errorf("save config file %s: %w", path, err)
	}
	if err := setStreams(doc, disk, f.Streams, f.Record.Dir != ""); err != nil {
		return fmt.Errorf("save config file %s: %w", path, err)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("save config file %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("save config file %s: %w", path, err)
	}
	// What is written must load at the next start.
	text := out.Bytes()
	saved, err := ParseFile(text)
	if err != nil {
		return fmt.Errorf("save config file %s: not saved, the streams would not read back: %w", path, err)
	}
	if spaced := spaceTopComments(text); readsAs(spaced, saved) {
		text = spaced
	}
	return writeAtomic(path, text, beforeRename)
}

// readsAs reports whether b loads as f, but for the lines streams start
// on: blank lines added between keys must change no value.
func readsAs(b []byte, f File) bool {
	g, err := ParseFile(b)
	if err != nil {
		return false
	}
	lines := func(f File) File {
		f.Streams = slices.Clone(f.Streams)
		for i := range f.Streams {
			f.Streams[i].Line = 0
		}
		return f
	}
	return reflect.DeepEqual(lines(g), lines(f))
}

// spaceTopComments puts back the blank line above each comment at the
// start of a line that follows an indented line or a value: the YAML
// library drops most blank lines, and a file of sections each under its
// comment reads as one block without them. It also ends the file with one
// newline, where the library may leave two.
func spaceTopComments(b []byte) []byte {
	lines := bytes.SplitAfter(bytes.TrimRight(b, "\n"), []byte("\n"))
	var out bytes.Buffer
	for i, l := range lines {
		if i > 0 && bytes.HasPrefix(l, []byte("#")) {
			if prev := lines[i-1]; len(bytes.TrimSpace(prev)) > 0 && !bytes.HasPrefix(prev, []byte("#")) {
				out.WriteByte('\n')
			}
		}
		out.Write(l)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// checkStreams holds streams to the file's rules that need no file, so
// that a refusal names the stream rather than a line of a file not written.
func checkStreams(streams []FileStream) error {
	if len(streams) == 0 || len(streams) > MaxStreams {
		return fmt.Errorf("%d streams: a config file has 1 to %d", len(streams), MaxStreams)
	}
	seen := map[string]bool{}
	for _, s := range streams {
		if !protocol.ValidStreamName(s.Name) {
			return fmt.Errorf("stream %s: %s", protocol.Quote(s.Name), protocol.StreamNameRule)
		}
		if seen[s.Name] {
			return fmt.Errorf("stream %s: two streams of that name", s.Name)
		}
		seen[s.Name] = true
		if err := s.Stream.Validate(); err != nil {
			return fmt.Errorf("stream %s: %w", s.Name, err)
		}
		if s.Token != "" {
			if err := protocol.CheckToken(s.Token); err != nil {
				return fmt.Errorf("stream %s: token: %w", s.Name, err)
			}
		}
		if s.PublishToken != "" {
			if err := protocol.CheckToken(s.PublishToken); err != nil {
				return fmt.Errorf("stream %s: publish_token: %w", s.Name, err)
			}
		}
	}
	return nil
}

// fileEntry is one entry of the streams: map of the file on disk.
type fileEntry struct {
	key, v *yaml.Node
	s      FileStream // as read
	used   bool
}

// setStreams makes doc's streams: map hold streams, in their order. A
// stream keeps its entry, found by name, or for a renamed one by the line
// its entry starts on (FileStream.Line), with the entry's comments and the
// values that did not change; a new stream gets the keys that are not
// their defaults; entries of streams no longer there go. record is what
// the streams do that leave record: out, as they run: a record.dir added
// or removed by hand since is for them to follow at the next start, not
// to be undone by writing record: into each of them.
func setStreams(doc *yaml.Node, disk File, streams []FileStream, record bool) error {
	m := findKey(doc.Content[0], "streams")
	var old []*fileEntry
	byName := map[string]*fileEntry{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		e := &fileEntry{key: m.Content[i], v: m.Content[i+1], s: disk.Streams[i/2]}
		old = append(old, e)
		byName[e.s.Name] = e
	}
	wanted := map[string]bool{}
	for _, s := range streams {
		wanted[s.Name] = true
	}
	var content []*yaml.Node
	for _, s := range streams {
		e := byName[s.Name]
		for _, o := range old {
			if e == nil && s.Line > 0 && o.key.Line == s.Line && !wanted[o.s.Name] && !o.used {
				e = o // renamed
			}
		}
		fields, err := streamFields(s, disk.Relay, record)
		if err != nil {
			return err
		}
		written := func(fl field) error {
			if fl.key == "record" && s.Record && disk.Record.Dir == "" {
				return fmt.Errorf("stream %s is recorded, but the file has no record.dir, the folder recordings go to, so record: true cannot be written", s.Name)
			}
			return nil
		}
		if e == nil || e.used {
			v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for _, fl := range fields {
				if !fl.def {
					if err := written(fl); err != nil {
						return err
					}
					v.Content = append(v.Content, strNode(fl.key), fl.v)
				}
			}
			content = append(content, strNode(s.Name), v)
			continue
		}
		e.used = true
		if e.key.Value != s.Name {
			e.key.Value, e.key.Tag, e.key.Style = s.Name, "!!str", 0
		}
		prev := e.s
		if k := findKey(e.v, "record"); k == nil || isNull(k) {
			prev.Record = record // left out: as the streams run
		}
		was, err := streamFields(prev, disk.Relay, record)
		if err != nil {
			return err
		}
		for i, fl := range fields {
			if !sameValue(was[i].v, fl.v) {
				if err := written(fl); err != nil {
					return err
				}
				toMapping(e)
				setKey(e.v, fl.key, fl.v)
			}
		}
		content = append(content, e.key, e.v)
	}
	m.Content = content
	return nil
}

// toMapping makes the value of an entry written "name:" alone, all
// defaults, a mapping that keys can be added to. A comment beside it
// goes beside the name, where the YAML library can write it.
func toMapping(e *fileEntry) {
	if e.v.Kind == yaml.MappingNode {
		return
	}
	if e.key.LineComment == "" {
		e.key.LineComment = e.v.LineComment
	}
	e.v.Kind, e.v.Tag, e.v.Value, e.v.Style, e.v.LineComment = yaml.MappingNode, "!!map", "", 0, ""
}

// findKey returns the value of key in mapping m, or nil.
func findKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setKey gives key the value v in mapping m: in place, keeping the
// comments of the value it had, or as a new last key.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	if old := findKey(m, key); old != nil {
		old.Kind, old.Tag, old.Value, old.Style, old.Content = v.Kind, v.Tag, v.Value, v.Style, v.Content
		return
	}
	m.Content = append(m.Content, strNode(key), v)
}

// sameValue reports whether two scalars written by streamFields are equal.
func sameValue(a, b *yaml.Node) bool {
	return a.Kind == b.Kind && a.Tag == b.Tag && a.Value == b.Value
}

// writeAtomic replaces the file at path with b: written beside it, synced,
// then renamed over it, mode 0600 (it holds tokens).
func writeAtomic(path string, b []byte, beforeRename func(tmp string) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save config file: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && beforeRename != nil {
		err = beforeRename(tmp.Name())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("save config file %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir last through a power cut. Where a
// directory cannot be synced (Windows) the rename is still made: the
// error is not the save's.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}
