package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// Tokens of the rule's length, for files of the tests.
const (
	tokenA   = "viewer-token-aaaaaaaa"
	tokenB   = "viewer-token-bbbbbbbb"
	adminTok = "admin-token-cccccccc"
	pubTok   = "publish-token-dddddddd"
)

func TestParseFileReadsEveryKey(t *testing.T) {
	def := engine.DefaultSettings()
	stream := func(name string, line int, mod func(*FileStream)) FileStream {
		s := FileStream{Name: name, Stream: def, Renditions: protocol.DefaultRenditions(), Line: line}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	cases := []struct {
		name string
		file string
		want File
	}{
		{"a stream of one source gets the defaults of everything else", "streams:\n  cam:\n    source: test\n",
			File{Addr: DefaultAddr, Streams: []FileStream{stream("cam", 2, nil)}}},
		{"a stream with nothing below it is the test pattern at the defaults", "streams:\n  cam:\n",
			File{Addr: DefaultAddr, Streams: []FileStream{stream("cam", 2, nil)}}},
		{"a key with no value keeps its default", "streams:\n  cam:\n    quality:\n    push:\n",
			File{Addr: DefaultAddr, Streams: []FileStream{stream("cam", 2, nil)}}},
		{"streams keep the file's order, not the names'", "streams:\n  z: {}\n  a: {}\n  m.2: {}\n",
			File{Addr: DefaultAddr, Streams: []FileStream{stream("z", 2, nil), stream("a", 3, nil), stream("m.2", 4, nil)}}},
		{"every key of a stream is read", `
token: ` + tokenA + `
admin_token: ` + adminTok + `
relay:
  url: wss://relay.example.com:8188
  publish_token: ` + pubTok + `
  ca_file: /etc/ca.pem
streams:
  line-1:
    source: camera:1
    process: faces,blur:size=15
    quality: 55
    width: 640
    height: 480
    fps: 15
    codec: JPEG
    bitrate: 2.5M
    renditions: 320x180@50
    push: true
    token: ` + tokenB + `
    enabled: false
  line-2:
    renditions: none
    bitrate: 800000
    push: wss://other.example.com/base/ingest/elsewhere
`, File{Addr: DefaultAddr, Token: tokenA, AdminToken: adminTok,
			Relay: FileRelay{URL: "wss://relay.example.com:8188", PublishToken: pubTok, CAFile: "/etc/ca.pem"},
			Streams: []FileStream{
				stream("line-1", 9, func(s *FileStream) {
					s.Stream = engine.Settings{Source: "camera:1", Quality: 55, MaxWidth: 640, MaxHeight: 480, FPS: 15, Codec: "jpeg", Bitrate: 2_500_000,
						Process: []vision.Item{{Name: "faces"}, {Name: "blur", Params: map[string]float64{"size": 15}}}}
					s.Renditions = []protocol.Rendition{{Name: "180p", W: 320, H: 180, Quality: 50}}
					s.Push = Push{Enabled: true, Relay: "wss://relay.example.com:8188", Stream: "line-1", PublishToken: pubTok}
					s.Token = tokenB
				}),
				stream("line-2", 22, func(s *FileStream) {
					s.Renditions = []protocol.Rendition{}
					s.Stream.Bitrate = 800_000
					s.Push = Push{Enabled: true, Relay: "wss://other.example.com/base", Stream: "elsewhere", PublishToken: pubTok}
				}),
			}}},
		{"tls with certificate files is mode files", "addr: 127.0.0.1:9443\ntls:\n  cert: c.pem\n  key: k.pem\nstreams:\n  a: {}\n",
			File{Addr: "127.0.0.1:9443", TLS: FileTLS{Mode: "files", Cert: "c.pem", Key: "k.pem"}, Streams: []FileStream{stream("a", 6, nil)}}},
		{"tls acme takes domains as a list, and :80 for challenges by default", "tls:\n  mode: acme\n  domains: [a.example.com, b.example.com]\n  email: ops@example.com\nstreams:\n  a: {}\n",
			File{Addr: DefaultAddr, TLS: FileTLS{Mode: "acme", Domains: []string{"a.example.com", "b.example.com"}, Email: "ops@example.com", ACMEHTTP: ":80"}, Streams: []FileStream{stream("a", 6, nil)}}},
		{"tls acme takes domains separated by commas", "tls:\n  mode: acme\n  domains: a.example.com, b.example.com\n  acme_http: \"off\"\nstreams:\n  a: {}\n",
			File{Addr: DefaultAddr, TLS: FileTLS{Mode: "acme", Domains: []string{"a.example.com", "b.example.com"}, ACMEHTTP: "off"}, Streams: []FileStream{stream("a", 6, nil)}}},
		{"tls mode off is plain HTTP", "tls:\n  mode: off\nstreams:\n  a: {}\n",
			File{Addr: DefaultAddr, Streams: []FileStream{stream("a", 4, nil)}}},
		{"with record.dir every stream is recorded but those with record: false", "record:\n  dir: /var/rec\n  keep: 2w\n  max_size: 1.5TB\nstreams:\n  a: {}\n  b:\n    record: false\n  c:\n    record: true\n",
			File{Addr: DefaultAddr, Record: Recording{Dir: "/var/rec", Keep: 14 * 24 * time.Hour, MaxSize: 1_500_000_000_000}, Streams: []FileStream{
				stream("a", 6, func(s *FileStream) { s.Record = true }), stream("b", 7, nil), stream("c", 9, func(s *FileStream) { s.Record = true })}}},
		{"a relative dir is kept as written, and limits of 0 are none", "record:\n  dir: rec/here\n  keep: forever\n  max_size: 0\nstreams:\n  a: {}\n",
			File{Addr: DefaultAddr, Record: Recording{Dir: "rec/here"}, Streams: []FileStream{stream("a", 6, func(s *FileStream) { s.Record = true })}}},
		{"without record.dir no stream is recorded, and record: false says so", "record:\n  keep: 7d\nstreams:\n  a: {}\n  b:\n    record: false\n",
			File{Addr: DefaultAddr, Record: Recording{Keep: 7 * 24 * time.Hour}, Streams: []FileStream{stream("a", 4, nil), stream("b", 5, nil)}}},
		{"an empty record.dir and record: with no value record nothing", "record:\n  dir:\nstreams:\n  a:\n    record:\n",
			File{Addr: DefaultAddr, Streams: []FileStream{stream("a", 4, nil)}}},
		{"sizes and times in other forms", "record:\n  dir: r\n  keep: 36h\n  max_size: 200000000\nstreams:\n  a: {}\n",
			File{Addr: DefaultAddr, Record: Recording{Dir: "r", Keep: 36 * time.Hour, MaxSize: 200_000_000}, Streams: []FileStream{stream("a", 6, func(s *FileStream) { s.Record = true })}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseFile([]byte(c.file))
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("ParseFile gave\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestParseFileNamesTheLineOfEveryProblem(t *testing.T) {
	many := "streams:\n"
	for i := range MaxStreams + 1 {
		many += fmt.Sprintf("  s%d: {}\n", i)
	}
	manyBad := "streams:\n  a:\n"
	for i := range maxFileErrors + 5 {
		manyBad += fmt.Sprintf("    bad%d: 1\n", i)
	}
	cases := []struct {
		name string
		file string
		want []string // each in the error
	}{
		{"an unknown top-level key", "addr: \":9000\"\nport: 80\nstreams:\n  a: {}\n", []string{"line 2: port: unknown key (the file takes addr, token, admin_token, tls, relay, record, streams)"}},
		{"an unknown key of a stream", "streams:\n  a:\n    source: test\n    qualty: 5\n", []string{"line 4: streams.a.qualty: unknown key (streams.a: takes source, process"}},
		{"an unknown key of tls", "tls:\n  mdoe: auto\nstreams:\n  a: {}\n", []string{"line 2: tls.mdoe: unknown key"}},
		{"an unknown key of relay", "relay:\n  adress: x\nstreams:\n  a: {}\n", []string{"line 2: relay.adress: unknown key"}},
		{"quality out of range", "streams:\n  line-2:\n    quality: 140\n", []string{"line 3: streams.line-2: quality 140: must be from 1 to 100"}},
		{"quality not a number", "streams:\n  a:\n    quality: high\n", []string{`line 3: streams.a.quality: "high" is not a whole number`}},
		{"a width too large", "streams:\n  a:\n    height: 480\n    width: 9000\n", []string{"line 4: streams.a: max size 9000x720"}},
		{"no fps", "streams:\n  a:\n    fps: 0\n", []string{"line 3: streams.a: fps 0: must be from 1 to 120"}},
		{"a codec that is not a choice", "streams:\n  a:\n    codec: h264\n", []string{`line 3: streams.a.codec: "h264" is not a codec choice`}},
		{"a bitrate that is not one", "streams:\n  a:\n    bitrate: fast\n", []string{`line 3: streams.a.bitrate: "fast" is not a bitrate`}},
		{"renditions without a quality", "streams:\n  a:\n    renditions: 640x360\n", []string{`line 3: streams.a.renditions: rendition "640x360": write WIDTHxHEIGHT@QUALITY`}},
		{"an unknown processor", "streams:\n  a:\n    process: faces,sharpen\n", []string{"line 3: streams.a.process: ", "sharpen"}},
		{"a source of an unknown scheme", "streams:\n  a:\n    source: rtmp://cam/1\n", []string{`line 3: streams.a: source "rtmp://cam/1": unsupported scheme`}},
		{"a stream name with ../", "streams:\n  \"../x\": {}\n", []string{`line 2: streams."../x": not a stream name: ` + protocol.StreamNameRule}},
		{"a stream name too long", "streams:\n  " + strings.Repeat("a", 65) + ": {}\n", []string{"line 2: streams.", "not a stream name"}},
		{"a stream name not ASCII", "streams:\n  kamera-ü: {}\n", []string{`line 2: streams."kamera-ü": not a stream name`}},
		{"an empty stream name", "streams:\n  \"\": {}\n", []string{`line 2: streams."": not a stream name`}},
		{"a stream name with a space", "streams:\n  line 1: {}\n", []string{`line 2: streams."line 1": not a stream name`}},
		{"a stream written twice", "streams:\n  a: {}\n  b: {}\n  a: {}\n", []string{"line 4: streams.a: written twice (first on line 2)"}},
		{"a key written twice", "streams:\n  a:\n    fps: 5\n    fps: 6\n", []string{"line 4: streams.a.fps: written twice (first on line 3)"}},
		{"no streams section", "addr: \":9000\"\n", []string{"line 1: no streams: section"}},
		{"no streams in it", "addr: \":9000\"\nstreams: {}\n", []string{"line 2: streams: give at least one stream"}},
		{"a list of streams, not a map", "streams:\n  - a\n", []string{"line 2: streams: must be a mapping"}},
		{"streams that are one value", "streams: 5\n", []string{"line 1: streams: must be a mapping"}},
		{"too many streams", many, []string{fmt.Sprintf("line 1: streams: %d streams: at most %d", MaxStreams+1, MaxStreams)}},
		{"an anchor and an alias", "streams:\n  a: &x\n    source: test\n  b: *x\n", []string{"line 2: streams.a: anchors (&) and aliases (*) are not supported", "line 4: streams.b: anchors"}},
		{"a merge key", "streams:\n  a:\n    <<: {fps: 5}\n", []string{"line 3: streams.a.<<: merge keys are not supported"}},
		{"a short token, not echoed", "token: short\nstreams:\n  a: {}\n", []string{"line 1: token: must be 16 to 256 characters, not 5"}},
		{"a stream's token with a space", "streams:\n  a:\n    token: \"" + tokenA + " x\"\n", []string{"line 3: streams.a.token: character 22 is a space"}},
		{"an admin token that is a viewer token", "token: " + tokenA + "\nadmin_token: " + tokenA + "\nstreams:\n  a: {}\n", []string{"line 2: admin_token: must differ from every viewer token"}},
		{"an admin token that is a stream's token", "admin_token: " + tokenA + "\nstreams:\n  a:\n    token: " + tokenA + "\n", []string{"line 1: admin_token: must differ"}},
		{"an addr without a port", "addr: 8188\nstreams:\n  a: {}\n", []string{`line 1: addr: "8188": write host:port`}},
		{"a TLS mode that is not one", "tls:\n  mode: on\nstreams:\n  a: {}\n", []string{`line 2: tls.mode: "on" is not a TLS mode`}},
		{"a certificate without its key", "tls:\n  cert: c.pem\nstreams:\n  a: {}\n", []string{"line 2: tls.cert: give tls.key with it"}},
		{"certificate files with a mode", "tls:\n  mode: auto\n  cert: c.pem\n  key: k.pem\nstreams:\n  a: {}\n", []string{"line 2: tls.mode: auto and tls.cert/tls.key: choose one"}},
		{"acme without domains", "tls:\n  mode: acme\nstreams:\n  a: {}\n", []string{"line 2: tls.mode: acme needs tls.domains"}},
		{"an acme key without acme", "tls:\n  mode: auto\n  email: ops@example.com\nstreams:\n  a: {}\n", []string{"line 3: tls.email: only with tls.mode acme"}},
		{"a relay of another scheme", "relay:\n  url: ftp://relay\nstreams:\n  a: {}\n", []string{`line 2: relay.url: relay "ftp://relay": must start with wss://`}},
		{"push true without a relay", "streams:\n  a:\n    push: true\n", []string{"line 3: streams.a.push: true pushes to relay.url"}},
		{"a push without a publish token", "relay:\n  url: wss://relay\nstreams:\n  a:\n    push: true\n", []string{"line 5: streams.a.push: pushing needs relay.publish_token"}},
		{"a push URL that is not an ingest URL", "relay:\n  publish_token: " + pubTok + "\nstreams:\n  a:\n    push: wss://relay/x\n", []string{`line 5: streams.a.push: "wss://relay/x": give the relay's ingest URL`}},
		{"a push URL naming a bad stream", "relay:\n  publish_token: " + pubTok + "\nstreams:\n  a:\n    push: wss://relay/ingest/..\n", []string{"line 5: streams.a.push: stream name"}},
		{"push URLs of two stream names", "relay:\n  publish_token: " + pubTok + "\nstreams:\n  a:\n    push: wss://r1/ingest/a,wss://r2/ingest/b\n", []string{`line 5: streams.a.push: "wss://r1/ingest/a,wss://r2/ingest/b": every relay must get the same stream name ("a", then "b")`}},
		{"a push that is a list", "streams:\n  a:\n    push: [x]\n", []string{"line 3: streams.a.push: a list: write true, false"}},
		{"record: true without record.dir", "streams:\n  a:\n    record: true\n", []string{"line 3: streams.a.record: true needs record.dir, the folder recordings go to"}},
		{"record as yes", "record:\n  dir: r\nstreams:\n  a:\n    record: yes\n", []string{`line 5: streams.a.record: "yes" is not true or false`}},
		{"an unknown key of record", "record:\n  path: /var/rec\nstreams:\n  a: {}\n", []string{"line 2: record.path: unknown key (record: takes dir, keep, max_size)"}},
		{"record that is one value", "record: /var/rec\nstreams:\n  a: {}\n", []string{"line 1: record: must be a mapping"}},
		{"a dir that is a list", "record:\n  dir: [a, b]\nstreams:\n  a: {}\n", []string{"line 2: record.dir: must be a single value"}},
		{"a keep that does not read", "record:\n  dir: r\n  keep: 7 days\nstreams:\n  a: {}\n", []string{`line 3: record.keep: "7 days": write a duration such as 7d, 12h or 90m`}},
		{"a keep under an hour", "record:\n  dir: r\n  keep: 30m\nstreams:\n  a: {}\n", []string{"line 3: record.keep: keep 30m: must be at least 1h (0: no age limit)"}},
		{"a size without its B", "record:\n  dir: r\n  max_size: 50 G\nstreams:\n  a: {}\n", []string{`line 3: record.max_size: "50 G": write a size such as 50GB, 500MB or 2TiB`}},
		{"a size under 100MB", "record:\n  dir: r\n  max_size: 5MB\nstreams:\n  a: {}\n", []string{"line 3: record.max_size: max size 5MB: must be at least 100MB (0: no size limit)"}},
		{"a size too large", "record:\n  max_size: 10000PB\nstreams:\n  a: {}\n", []string{`line 2: record.max_size: "10000PB": too large`}},
		{"enabled as yes", "streams:\n  a:\n    enabled: yes\n", []string{`line 3: streams.a.enabled: "yes" is not true or false`}},
		{"a stream that is a list", "streams:\n  a: [1]\n", []string{"line 2: streams.a: must be a mapping"}},
		{"a source that is a mapping", "streams:\n  a:\n    source: {x: 1}\n", []string{"line 3: streams.a.source: must be a single value"}},
		{"two documents", "streams:\n  a: {}\n---\nstreams:\n  b: {}\n", []string{"line 3: a second document (after ---)"}},
		{"YAML that does not parse", "streams:\n  a:\n    source: [test\n", []string{"line 2: did not find expected ',' or ']'"}},
		{"a tab for indentation", "streams:\n\ta: {}\n", []string{"line 2: found character that cannot start any token"}},
		{"an empty file", "", []string{"the file is empty"}},
		{"a file of comments only", "# nothing\n", []string{"the file is empty"}},
		{"a file that is a list", "- a\n- b\n", []string{"line 1: the file must be keys and values (addr:, streams: …), not a list"}},
		{"a file too big", strings.Repeat("#", MaxFileSize+1), []string{"a config file can be at most 1024 KiB"}},
		{"several problems, each on its line", "streams:\n  a:\n    quality: 0\n    fps: 500\n  b:\n    codec: x\n", []string{
			"line 3: streams.a: quality 0", "line 4: streams.a: fps 500", `line 6: streams.b.codec: "x"`}},
		{"a file of many problems says the first ones", manyBad, []string{"line 3: streams.a.bad0: unknown key", fmt.Sprintf("and more problems after these %d", maxFileErrors)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseFile([]byte(c.file))
			if err == nil {
				t.Fatalf("ParseFile gave no error, and %+v", f)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			for _, tok := range []string{tokenA, adminTok, pubTok, "short"} {
				if strings.Contains(c.file, tok) && strings.Contains(err.Error(), tok) {
					t.Errorf("the error holds a token:\n%v", err)
				}
			}
		})
	}
}

func TestParseFileTellsEachProblemOnItsOwn(t *testing.T) {
	_, err := ParseFile([]byte("streams:\n  a:\n    quality: 0\n    fps: 500\n  b:\n    codec: x\n"))
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 3 {
		t.Fatalf("want three joined errors, got %v", err)
	}
}

// A billion laughs: nine anchors of ten aliases each would be 10⁹ values
// if aliases were followed; they are refused as they are met.
func TestParseFileRefusesABillionLaughs(t *testing.T) {
	file := "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 10; i++ {
		file += fmt.Sprintf("a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	file += "streams:\n  a: *a9\n"
	_, err := ParseFile([]byte(file))
	if err == nil || !strings.Contains(err.Error(), "line 12: streams.a: anchors (&) and aliases (*) are not supported") {
		t.Fatalf("want the alias refused, got %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadFile(filepath.Join(dir, "none.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file: want fs.ErrNotExist, got %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("streams:\n  a:\n    quality: 0\n  b:\n    fps: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(bad)
	want := bad + ": line 3: streams.a: quality 0: must be from 1 to 100\n" + bad + ": line 5: streams.b: fps 0: must be from 1 to 120"
	if err == nil || err.Error() != want {
		t.Fatalf("want each problem after the file's name:\n%s\ngot\n%v", want, err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(big); err == nil || !strings.Contains(err.Error(), "over the 1024 KiB") {
		t.Fatalf("a file too big: got %v", err)
	}
}
