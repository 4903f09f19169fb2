package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framecast/backend/protocol"
)

func TestWriteExample(t *testing.T) {
	path := filepath.Join(t.TempDir(), "framecast.yaml")
	if err := WriteExample(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("want mode 0600 (the file holds tokens), got %v %v", fi, err)
	}
	f, err := LoadFile(path)
	if err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	if len(f.Streams) != 2 || f.Streams[0].Name != "line-1" || f.Streams[1].Name != "line-2" || f.Streams[0].Stream.Source != "test" {
		t.Fatalf("want the two test-pattern streams, got %+v", f.Streams)
	}
	if err := protocol.CheckToken(f.Token); err != nil || f.Token == "TOKEN" {
		t.Fatalf("want a new random viewer token, got %q (%v)", f.Token, err)
	}
	before, _ := os.ReadFile(path)
	if err := WriteExample(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("a second example over the first: want fs.ErrExist, got %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("the file was written over")
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := WriteExample(other); err != nil {
		t.Fatal(err)
	}
	if g, _ := LoadFile(other); g.Token == f.Token {
		t.Fatal("two examples got the same viewer token")
	}
}

func TestTheExampleExplainsEveryKey(t *testing.T) {
	text := exampleText(tokenA)
	sections := []struct {
		keys     []string
		prefixes []string // where a key of the section starts, set or commented out
	}{
		{fileKeys, []string{"\n", "\n# "}},
		{tlsKeys, []string{"\n  ", "\n  # "}},
		{relayKeys, []string{"\n#   "}},
		{recordKeys, []string{"\n#   "}},
		{streamKeys, []string{"\n    ", "\n    # "}},
	}
	for _, sec := range sections {
		for _, k := range sec.keys {
			found := false
			for _, p := range sec.prefixes {
				found = found || strings.Contains(text, p+k+":")
			}
			if !found {
				t.Errorf("the example has no %s:", k)
			}
		}
	}
}

// The camera left commented out in the example is a stream once its #s go.
func TestTheExamplesCameraLoadsUncommented(t *testing.T) {
	text := exampleText(tokenA)
	for _, l := range []string{"  # line-3:", "  #   source: camera:0", "  #   process: motion:minArea=800,overlay"} {
		if !strings.Contains(text, l+"\n") {
			t.Fatalf("the example has no line %q", l)
		}
		text = strings.Replace(text, l, strings.Replace(l, "# ", "", 1), 1)
	}
	f, err := ParseFile([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Streams) != 3 || f.Streams[2].Name != "line-3" || f.Streams[2].Stream.Source != "camera:0" {
		t.Fatalf("want line-3 on camera:0, got %+v", f.Streams)
	}
}

// The example's record: section, once its #s go, records both streams
// in recordings/ for a week, up to 50GB; the first stream's record: false
// then leaves it out.
func TestTheExamplesRecordingLoadsUncommented(t *testing.T) {
	text := exampleText(tokenA)
	for _, l := range []string{"# record:", "#   dir: recordings", "#   keep: 7d", "#   max_size: 50GB"} {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Fatalf("the example has no line %q", l)
		}
		text = strings.Replace(text, "\n"+l+"\n", "\n"+strings.Replace(l, "# ", "", 1)+"\n", 1)
	}
	f, err := ParseFile([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := Recording{Dir: "recordings", Keep: 7 * 24 * time.Hour, MaxSize: 50_000_000_000}
	if f.Record != want || !f.Streams[0].Record || !f.Streams[1].Record {
		t.Fatalf("want %+v and both streams recorded, got %+v, %v, %v", want, f.Record, f.Streams[0].Record, f.Streams[1].Record)
	}
	const off = "    # record: false\n"
	if !strings.Contains(text, off) {
		t.Fatalf("the example has no line %q", off)
	}
	f, err = ParseFile([]byte(strings.Replace(text, off, "    record: false\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Streams[0].Record || !f.Streams[1].Record {
		t.Fatalf("want line-1 alone not recorded, got %v, %v", f.Streams[0].Record, f.Streams[1].Record)
	}
}

// Saving a change into the example keeps every comment it has.
func TestSavingTheExampleKeepsItsComments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "framecast.yaml")
	if err := WriteExample(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Streams[1].Stream.Quality = 55
	f.Streams[0].Stream.Bitrate = 3_000_000
	if err := SaveFile(path, f); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(before), "\n") {
		if i := strings.Index(l, "#"); i >= 0 && !strings.Contains(string(after), strings.TrimSpace(l[i:])) {
			t.Errorf("the comment %q was lost", l[i:])
		}
	}
	want := strings.Replace(string(before), "    quality: 70\n", "    quality: 55\n", 1)
	want = strings.Replace(want, "    bitrate: auto\n", "    bitrate: 3M\n", 1)
	if string(after) != want {
		t.Errorf("the saved file is\n%s\nwant\n%s", after, want)
	}
}

// The two-camera file of docs/config.md loads as it says.
func TestTheDocsTwoCameraFileLoads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	text, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/config.md has no YAML example")
	}
	f, err := ParseFile([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Streams) != 2 || f.Streams[0].Push.Stream != "line-1" || f.Streams[1].Token == "" || len(f.Streams[1].Renditions) != 0 ||
		f.Record.MaxSize != 50_000_000_000 || !f.Streams[0].Record || f.Streams[1].Record {
		t.Fatalf("the example loads as %+v", f)
	}
}
