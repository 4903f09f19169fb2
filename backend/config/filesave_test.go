package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// savedFile is a file as a person writes it, with comments above and
// beside values, and a value (2000k) written in a form of their own.
const savedFile = `# Framecast cameras
addr: ":8188"
relay:
  url: wss://relay.example.com
  publish_token: publish-token-dddddddd
streams:
  # the line camera
  line-1:
    source: test # the pattern
    quality: 80
    bitrate: 2000k
  # the packing camera
  line-2:
    source: test
    quality: 70 # enough
    fps: 15
  # the dock
  dock:
    source: test
`

// writeSaved writes text as a config file in a new directory.
func writeSaved(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "framecast.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// withoutLines is f without where its streams were read, which a saved
// file changes.
func withoutLines(f File) File {
	f.Streams = append([]FileStream(nil), f.Streams...)
	for i := range f.Streams {
		f.Streams[i].Line = 0
	}
	return f
}

func TestSaveFileChangesOnlyWhatDiffers(t *testing.T) {
	cases := []struct {
		name string
		mod  func(f *File)
		want string // the file after, as savedFile is changed
	}{
		{"a changed value is written in place, every comment kept", func(f *File) { f.Streams[1].Stream.Quality = 55 },
			strings.Replace(savedFile, "quality: 70 # enough", "quality: 55 # enough", 1)},
		{"a value set that the entry left out is added to it", func(f *File) {
			f.Streams[2].Stream.Enabled = false
			f.Streams[2].Stream.Codec = engine.CodecJPEG
			f.Streams[2].Renditions = []protocol.Rendition{}
			f.Streams[2].Push = Push{Enabled: true, Relay: f.Relay.URL, Stream: "dock", PublishToken: f.Relay.PublishToken}
		}, savedFile + "    codec: jpeg\n    renditions: none\n    push: true\n    enabled: false\n"},
		{"a push elsewhere is written as its ingest URL", func(f *File) {
			f.Streams[2].Push = Push{Enabled: true, Relay: "wss://a.example.com,wss://b.example.com/x", Stream: "gate-3", PublishToken: f.Relay.PublishToken}
		}, savedFile + "    push: wss://a.example.com/ingest/gate-3,wss://b.example.com/x/ingest/gate-3\n"},
		{"a new stream gets the keys that are not their defaults", func(f *File) {
			s := engine.DefaultSettings()
			s.Source, s.Quality, s.Bitrate = "camera:1", 60, 2_500_000
			f.Streams = append(f.Streams, FileStream{Name: "gate", Stream: s, Token: tokenB, Renditions: protocol.DefaultRenditions()})
		}, savedFile + "  gate:\n    source: camera:1\n    quality: 60\n    bitrate: 2500k\n    token: " + tokenB + "\n"},
		{"a removed stream's entry goes with its comment", func(f *File) { f.Streams = f.Streams[:2] },
			strings.TrimSuffix(savedFile, "  # the dock\n  dock:\n    source: test\n")},
		{"a renamed stream keeps its entry and comments", func(f *File) { f.Streams[1].Name = "packing" },
			strings.Replace(savedFile, "  line-2:", "  packing:", 1)},
		{"reordered streams move with their comments", func(f *File) {
			f.Streams[0], f.Streams[2] = f.Streams[2], f.Streams[0]
		}, strings.Replace(savedFile, "  # the line camera\n  line-1:\n    source: test # the pattern\n    quality: 80\n    bitrate: 2000k\n  # the packing camera\n  line-2:\n    source: test\n    quality: 70 # enough\n    fps: 15\n  # the dock\n  dock:\n    source: test\n",
			"  # the dock\n  dock:\n    source: test\n  # the packing camera\n  line-2:\n    source: test\n    quality: 70 # enough\n    fps: 15\n  # the line camera\n  line-1:\n    source: test # the pattern\n    quality: 80\n    bitrate: 2000k\n", 1)},
		{"nothing changed writes the file as it was", func(*File) {}, savedFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSaved(t, savedFile)
			f, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c.mod(&f)
			if err := SaveFile(path, f); err != nil {
				t.Fatalf("SaveFile: %v", err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Errorf("the file is\n%s\nwant\n%s", b, c.want)
			}
			again, err := LoadFile(path)
			if err != nil {
				t.Fatalf("the saved file does not load: %v", err)
			}
			if !reflect.DeepEqual(withoutLines(again), withoutLines(f)) {
				t.Errorf("the saved file loads as\n%+v\nnot\n%+v", again, f)
			}
		})
	}
}

// recordFile records its streams in recordings/: the dock is left out.
const recordFile = `# Framecast cameras
record:
  dir: recordings # on the big disk
  keep: 7d
streams:
  # the line camera
  line-1:
    source: test # the pattern
  # the dock, not recorded
  dock:
    record: false # nothing to see
`

// A stream's record: is written only where it differs from what record.dir
// makes the default, in place, keeping the comments.
func TestSaveFileWritesRecordWhereItDiffers(t *testing.T) {
	cases := []struct {
		name string
		disk string
		mod  func(f *File)
		want string
	}{
		{"a stream no longer recorded gets record: false", recordFile, func(f *File) { f.Streams[0].Record = false },
			strings.Replace(recordFile, "    source: test # the pattern\n", "    source: test # the pattern\n    record: false\n", 1)},
		{"a stream recorded again is written in place, its comment kept", recordFile, func(f *File) { f.Streams[1].Record = true },
			strings.Replace(recordFile, "record: false # nothing to see", "record: true # nothing to see", 1)},
		{"another change leaves record: as it was", recordFile, func(f *File) { f.Streams[1].Stream.FPS = 5 },
			recordFile + "    fps: 5\n"},
		{"a new stream recorded as the default leaves record: out", recordFile, func(f *File) {
			f.Streams = append(f.Streams, FileStream{Name: "gate", Stream: engine.DefaultSettings(), Renditions: protocol.DefaultRenditions(), Record: true})
		}, recordFile + "  gate: {}\n"},
		{"a new stream not recorded says so", recordFile, func(f *File) {
			f.Streams = append(f.Streams, FileStream{Name: "gate", Stream: engine.DefaultSettings(), Renditions: protocol.DefaultRenditions()})
		}, recordFile + "  gate:\n    record: false\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSaved(t, c.disk)
			f, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c.mod(&f)
			if err := SaveFile(path, f); err != nil {
				t.Fatalf("SaveFile: %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != c.want {
				t.Errorf("the file is\n%s\nwant\n%s", b, c.want)
			}
			again, err := LoadFile(path)
			if err != nil {
				t.Fatalf("the saved file does not load: %v", err)
			}
			if !reflect.DeepEqual(withoutLines(again), withoutLines(f)) {
				t.Errorf("the saved file loads as\n%+v\nnot\n%+v", again, f)
			}
		})
	}
}

// savedFileWithDir is savedFile with a record: section of dir above its
// streams; "": a record: section that sets no dir.
func savedFileWithDir(dir string) string {
	section := "record:\n  keep: 7d\n"
	if dir != "" {
		section = "record:\n  dir: " + dir + "\n  keep: 7d\n"
	}
	return strings.Replace(savedFile, "streams:\n", section+"streams:\n", 1)
}

// record.dir set or removed by hand while serve runs is for the streams
// that leave record: out to follow at the next start: a save of another
// change does not undo it by writing record: into each of them.
func TestSaveFileLeavesAHandMadeRecordDirToTheStreams(t *testing.T) {
	cases := []struct {
		name     string
		loaded   string // the file serve started with
		edited   string // the file after the hand edit
		recorded bool   // line-2 at the next start
	}{
		{"a dir set by hand records them at the next start", savedFile, savedFileWithDir("recordings"), true},
		{"a dir removed by hand records nothing at the next start", savedFileWithDir("recordings"), savedFileWithDir(""), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSaved(t, c.loaded)
			f, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(c.edited), 0o600); err != nil {
				t.Fatal(err)
			}
			f.Streams[1].Stream.Quality = 55
			if err := SaveFile(path, f); err != nil {
				t.Fatalf("SaveFile: %v", err)
			}
			want := strings.Replace(c.edited, "quality: 70 # enough", "quality: 55 # enough", 1)
			if b, _ := os.ReadFile(path); string(b) != want {
				t.Errorf("the file is\n%s\nwant\n%s", b, want)
			}
			again, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range again.Streams {
				if s.Record != c.recorded {
					t.Errorf("stream %s: recorded %v at the next start, want %v", s.Name, s.Record, c.recorded)
				}
			}
		})
	}
}

func TestSaveFileLeavesTheFileAloneWhenItCannot(t *testing.T) {
	good, err := ParseFile([]byte(savedFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		disk string // the file on disk at the save
		mod  func(f *File)
		want string
	}{
		{"a file that no longer reads is not written over", savedFile + "  oops: [\n", func(*File) {},
			"it no longer reads as a config file, so it is left as it is: line"},
		{"two streams of one name", savedFile, func(f *File) { f.Streams[1].Name = "line-1" }, "stream line-1: two streams of that name"},
		{"a stream name that is a path", savedFile, func(f *File) { f.Streams[1].Name = "../etc" }, `stream "../etc": ` + protocol.StreamNameRule},
		{"no streams", savedFile, func(f *File) { f.Streams = nil }, "0 streams: a config file has 1 to 64"},
		{"a setting out of range", savedFile, func(f *File) { f.Streams[0].Stream.FPS = 500 },
			"stream line-1: fps 500: must be from 1 to 120"},
		{"a bad viewer token", savedFile, func(f *File) { f.Streams[0].Token = "short" }, "stream line-1: token: must be 16 to 256 characters"},
		{"renditions that do not read back", savedFile, func(f *File) { f.Streams[0].Renditions = []protocol.Rendition{{W: 8, H: 8, Quality: 5}} },
			"not saved, the streams would not read back: line 12: streams.line-1.renditions: rendition \"8x8@5\""},
		{"a stream recorded in a file with no record.dir", savedFile, func(f *File) { f.Streams[2].Record = true },
			"stream dock is recorded, but the file has no record.dir, the folder recordings go to, so record: true cannot be written"},
		{"a new stream recorded in a file with no record.dir", savedFile, func(f *File) {
			f.Streams = append(f.Streams, FileStream{Name: "gate", Stream: engine.DefaultSettings(), Record: true})
		}, "stream gate is recorded, but the file has no record.dir"},
		{"a push with a publish token of its own", savedFile, func(f *File) {
			f.Streams[0].Push = Push{Enabled: true, Relay: f.Relay.URL, Stream: "line-1", PublishToken: "another-publish-token"}
		}, "stream line-1 pushes with a publish token other than the file's relay.publish_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSaved(t, c.disk)
			f := withoutLines(good)
			c.mod(&f)
			err := SaveFile(path, f)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error with %q, got %v", c.want, err)
			}
			if b, _ := os.ReadFile(path); string(b) != c.disk {
				t.Errorf("the file was changed:\n%s", b)
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Errorf("want the file alone in its directory, got %v", entries)
			}
		})
	}
}

func TestSaveFileFailingWriteLeavesTheOldFile(t *testing.T) {
	path := writeSaved(t, savedFile)
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Streams[0].Stream.Quality = 10
	failed := errors.New("disk full")
	var written string
	err = saveFile(path, f, func(tmp string) error {
		b, _ := os.ReadFile(tmp)
		written = string(b)
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("want the write's error, got %v", err)
	}
	if !strings.Contains(written, "quality: 10") {
		t.Fatalf("the new file was not written beside the old one before the rename: %q", written)
	}
	if b, _ := os.ReadFile(path); string(b) != savedFile {
		t.Errorf("the old file was changed:\n%s", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("want the temporary file gone, got %v", entries)
	}
}

func TestSaveFileWritesTheOwnersFileThroughALink(t *testing.T) {
	path := writeSaved(t, savedFile)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.yaml")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(link)
	if err != nil {
		t.Fatal(err)
	}
	f.Streams[0].Stream.FPS = 12
	if err := SaveFile(link, f); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("want the file at mode 0600 (it holds tokens), got %v %v", fi, err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "fps: 12") {
		t.Errorf("the linked file was not saved:\n%s", b)
	}
}

// An entry written "name:" alone takes keys below its name, and a comment
// beside it stays there.
func TestSaveFileFillsAnEntryOfDefaults(t *testing.T) {
	path := writeSaved(t, "streams:\n  a: # the first\n  b:\n")
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Streams[0].Stream.Quality = 50
	if err := SaveFile(path, f); err != nil {
		t.Fatal(err)
	}
	want := "streams:\n  a: # the first\n    quality: 50\n  b:\n"
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Fatalf("the file is\n%s\nwant\n%s", b, want)
	}
}

// readsAs keeps the blank lines SaveFile adds from changing a value.
func TestReadsAsComparesValuesNotLines(t *testing.T) {
	f, err := ParseFile([]byte(savedFile))
	if err != nil {
		t.Fatal(err)
	}
	if !readsAs([]byte("\n\n"+savedFile), f) {
		t.Error("the same values a line lower do not read as the same")
	}
	if readsAs([]byte(strings.Replace(savedFile, "fps: 15", "fps: 16", 1)), f) {
		t.Error("another value reads as the same")
	}
	if readsAs([]byte("streams: ["), f) {
		t.Error("a file that does not load reads as the same")
	}
}
