package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"framecast/backend/protocol"
)

// FuzzLoad: whatever is in the settings file, Load gives settings that are
// valid, and never panics.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"stream":{"source":"camera:1","quality":55,"fps":15,"process":[{"name":"faces"}]},"port":9000}`))
	f.Add([]byte(`{"stream": {"quality": 5`))
	f.Add([]byte(`{"stream":{"quality":"high"},"push":{"enabled":true}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"stream":{"process":[{"name":"blur","params":{"size":-3}}]}}`))
	f.Add([]byte(`{"port":9000,"cameras":[{"name":"a","stream":{"fps":9}},{"name":"a"},7,{"name":"../x"}]}`))
	f.Add([]byte(`{"cameras":{"a":1}}`))
	f.Add([]byte(`{"record":{"dir":"/rec","keep":"7d","maxSize":"50GB"},"cameras":[{"name":"a","record":true},{"name":"b","record":1}]}`))
	f.Add([]byte(`{"record":{"dir":"r","keep":"5m","maxSize":5}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st := Store{Path: filepath.Join(t.TempDir(), FileName)}
		if err := os.WriteFile(st.Path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, _ := st.Load()
		if err := s.Validate(); err != nil {
			t.Fatalf("Load gave invalid settings from %q: %v", b, err)
		}
	})
}

// FuzzParseFile: whatever the config file holds, ParseFile does not panic,
// and what it accepts holds to the rules, and saves back as it was read.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(exampleText("viewer-token-aaaaaaaa")))
	f.Add([]byte(savedFile))
	f.Add([]byte("streams:\n  a:\n    quality: 140\n  a: {}\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nstreams:\n  s: *b\n"))
	f.Add([]byte("relay:\n  url: wss://r\n  publish_token: publish-token-dddddddd\nstreams:\n  a:\n    push: true\n  b:\n    push: ws://q/ingest/c,ws://p/ingest/c\n"))
	f.Add([]byte("tls:\n  mode: acme\n  domains: a,b\nstreams:\n  \"x.y\":\n    renditions: none\n    bitrate: 1.5M\n"))
	f.Add([]byte(recordFile))
	f.Add([]byte("record:\n  dir: r\n  keep: 1d12h\n  max_size: 1.5TB\nstreams:\n  a:\n    record: false\n  b:\n    record: true\n  c:\n"))
	f.Add([]byte("record:\n  keep: 30m\n  max_size: 50 G\nstreams:\n  a:\n    record: true\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParseFile(b)
		if err != nil {
			return
		}
		if len(file.Streams) < 1 || len(file.Streams) > MaxStreams {
			t.Fatalf("%d streams from %q", len(file.Streams), b)
		}
		if err := file.Record.Validate(); err != nil {
			t.Fatalf("record: from %q: %v", b, err)
		}
		for _, s := range file.Streams {
			if s.Record && file.Record.Dir == "" {
				t.Fatalf("stream %s recorded without a record.dir from %q", s.Name, b)
			}
			if !protocol.ValidStreamName(s.Name) {
				t.Fatalf("stream name %q from %q", s.Name, b)
			}
			if err := s.Stream.Validate(); err != nil {
				t.Fatalf("stream %s from %q: %v", s.Name, b, err)
			}
			if err := s.Push.Validate(); err != nil {
				t.Fatalf("push of %s from %q: %v", s.Name, b, err)
			}
		}
		path := filepath.Join(t.TempDir(), "framecast.yaml")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := SaveFile(path, file); err != nil {
			t.Fatalf("saving %q as it was read: %v", b, err)
		}
		again, err := LoadFile(path)
		if err != nil {
			t.Fatalf("%q saved does not load: %v", b, err)
		}
		if !reflect.DeepEqual(withoutLines(again), withoutLines(file)) {
			t.Fatalf("%q saved loads as\n%+v\nnot\n%+v", b, again, file)
		}
	})
}
