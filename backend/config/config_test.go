package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/vision"
)

// TestLoad reads files of both formats: an older app's, one camera's
// settings at the top level ({stream, port, token, tls, push}), and this
// one's, {port, tls, cameras: [...]}.
func TestLoad(t *testing.T) {
	cases := []struct {
		name     string
		file     string // "" = no file
		want     func(*Settings)
		warnings int
		kept     bool
	}{
		{"a missing file gives defaults and no warning", "", func(*Settings) {}, 0, false},
		{"a valid file is read whole", `{"stream":{"source":"camera:1","quality":55,"maxWidth":640,"maxHeight":480,"fps":15,"enabled":false},"port":9000,"token":"abcdefghijklmnopqrstuv"}`,
			func(s *Settings) {
				s.Cameras[0].Stream.Source, s.Cameras[0].Stream.Quality, s.Cameras[0].Stream.MaxWidth, s.Cameras[0].Stream.MaxHeight, s.Cameras[0].Stream.FPS, s.Cameras[0].Stream.Enabled = "camera:1", 55, 640, 480, 15, false
				s.Port, s.Cameras[0].Token = 9000, "abcdefghijklmnopqrstuv"
			}, 0, false},
		{"a corrupt file gives defaults, a warning and a kept copy", `{"stream": {"quality": 5`, func(*Settings) {}, 1, true},
		{"one bad field keeps the others", `{"stream":{"source":"camera:2","quality":"high"},"port":9001}`,
			func(s *Settings) { s.Cameras[0].Stream.Source, s.Port = "camera:2", 9001 }, 1, true},
		{"a saved processing chain is read", `{"stream":{"process":[{"name":"faces"},{"name":"blur","params":{"size":5}}]}}`,
			func(s *Settings) {
				s.Cameras[0].Stream.Process = []vision.Item{{Name: "faces"}, {Name: "blur", Params: map[string]float64{"size": 5}}}
			}, 0, false},
		{"a bad processing chain is dropped with a warning and kept aside", `{"stream":{"quality":60,"process":[{"name":"sharpen"}]}}`,
			func(s *Settings) { s.Cameras[0].Stream.Quality = 60 }, 1, true},
		{"an out-of-range value keeps the others", `{"stream":{"quality":500,"fps":12},"port":70000}`,
			func(s *Settings) { s.Cameras[0].Stream.FPS = 12 }, 2, true},
		{"the codec choice and H.264 bitrate are read", `{"stream":{"codec":"jpeg","bitrate":1500000}}`,
			func(s *Settings) { s.Cameras[0].Stream.Codec, s.Cameras[0].Stream.Bitrate = "jpeg", 1500000 }, 0, false},
		{"a file from before the codec choice sends H.264 at the automatic bitrate", `{"stream":{"quality":70}}`,
			func(s *Settings) { s.Cameras[0].Stream.Quality = 70 }, 0, false},
		{"an unknown codec and a bitrate out of range get their defaults", `{"stream":{"codec":"vp9","bitrate":5,"fps":12}}`,
			func(s *Settings) { s.Cameras[0].Stream.FPS = 12 }, 2, true},
		{"a token over 256 characters is dropped and the others kept", `{"token":"` + strings.Repeat("t", 257) + `","port":9002}`,
			func(s *Settings) { s.Port = 9002 }, 1, true},
		{"a publish token over 256 characters drops the push settings", `{"port":9003,"push":{"enabled":true,"relay":"wss://r.example","stream":"a","publishToken":"` + strings.Repeat("p", 257) + `"}}`,
			func(s *Settings) { s.Port = 9003 }, 1, true},
		{"a file over 1 MiB is not read, and kept aside whole", `{"port":9004,"token":"` + strings.Repeat("x", MaxFileSize) + `"}`,
			func(*Settings) {}, 1, true},
		{"a list of cameras is read whole, in its order", `{"port":9005,"tls":true,"cameras":[{"name":"line-1","stream":{"source":"camera:1","quality":55},"token":"abcdefghijklmnopqrstuv"},{"name":"dock","stream":{"fps":12}}]}`,
			func(s *Settings) {
				s.Port, s.TLS = 9005, true
				s.Cameras[0].Name, s.Cameras[0].Stream.Source, s.Cameras[0].Stream.Quality, s.Cameras[0].Token = "line-1", "camera:1", 55, "abcdefghijklmnopqrstuv"
				dock := Camera{Name: "dock", Stream: engine.DefaultSettings()}
				dock.Stream.FPS = 12
				s.Cameras = append(s.Cameras, dock)
			}, 0, false},
		{"a camera's bad field keeps its others and the other cameras", `{"cameras":[{"name":"a","stream":{"quality":"high","fps":9}},{"name":"b"}]}`,
			func(s *Settings) {
				s.Cameras[0].Name, s.Cameras[0].Stream.FPS = "a", 9
				s.Cameras = append(s.Cameras, Camera{Name: "b", Stream: engine.DefaultSettings()})
			}, 1, true},
		{"a camera's name that cannot name a stream is replaced", `{"cameras":[{"name":"../etc","stream":{"fps":9}}]}`,
			func(s *Settings) { s.Cameras[0].Stream.FPS = 9 }, 1, true},
		{"a second camera of the same name is renamed", `{"cameras":[{"name":"a"},{"name":"a","stream":{"fps":9}}]}`,
			func(s *Settings) {
				s.Cameras[0].Name = "a"
				s.Cameras = append(s.Cameras, Camera{Name: "a-2", Stream: engine.DefaultSettings()})
				s.Cameras[1].Stream.FPS = 9
			}, 1, true},
		{"a camera that is not an object is left out", `{"cameras":[7,{"name":"b"}]}`,
			func(s *Settings) { s.Cameras[0].Name = "b" }, 1, true},
		{"an empty list of cameras gives one camera", `{"port":9006,"cameras":[]}`,
			func(s *Settings) { s.Port = 9006 }, 0, false},
		{"cameras that are not a list give one camera and keep the port", `{"port":9007,"cameras":{"a":1}}`,
			func(s *Settings) { s.Port = 9007 }, 1, true},
		{"a camera's record switch is read, and one without it is not recorded", `{"cameras":[{"name":"a","record":true},{"name":"b"}]}`,
			func(s *Settings) {
				s.Cameras[0].Name, s.Cameras[0].Record = "a", true
				s.Cameras = append(s.Cameras, Camera{Name: "b", Stream: engine.DefaultSettings()})
			}, 0, false},
		{"where recordings go and how long they are kept is read", `{"record":{"dir":"/rec","keep":"7d","maxSize":"50GB"},"cameras":[{"name":"a","record":true}]}`,
			func(s *Settings) {
				s.Record = Recording{Dir: "/rec", Keep: 7 * 24 * time.Hour, MaxSize: 50_000_000_000}
				s.Cameras[0].Name, s.Cameras[0].Record = "a", true
			}, 0, false},
		{"a record switch that is not true or false is off", `{"cameras":[{"name":"a","record":"yes","stream":{"fps":9}}]}`,
			func(s *Settings) { s.Cameras[0].Name, s.Cameras[0].Stream.FPS = "a", 9 }, 1, true},
		{"recordings kept too briefly turn recording off", `{"port":9008,"record":{"dir":"/rec","keep":"5m"}}`,
			func(s *Settings) { s.Port = 9008 }, 1, true},
		{"a recording size that does not read turns recording off", `{"port":9009,"record":{"dir":"/rec","maxSize":"50 G"}}`,
			func(s *Settings) { s.Port = 9009 }, 1, true},
		{"an older file of one camera takes a recording folder beside it", `{"port":9010,"record":{"dir":"/rec"}}`,
			func(s *Settings) { s.Port, s.Record.Dir = 9010, "/rec" }, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := Store{Path: filepath.Join(dir, FileName)}
			if c.file != "" {
				if err := os.WriteFile(st.Path, []byte(c.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, warnings := st.Load()
			want := Defaults()
			c.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
			nkept := 0
			for _, w := range warnings {
				if strings.Contains(w, "kept in") {
					nkept++
				}
			}
			if len(warnings)-nkept != c.warnings {
				t.Fatalf("warnings %q, want %d about settings", warnings, c.warnings)
			}
			copies, _ := filepath.Glob(st.Path + ".bad-*")
			if (len(copies) == 1) != c.kept || (nkept == 1) != c.kept {
				t.Fatalf("kept copies %v (warned %d), want kept=%v", copies, nkept, c.kept)
			}
			if c.kept {
				b, _ := os.ReadFile(copies[0])
				if string(b) != c.file {
					t.Fatal("the kept copy differs from the original file")
				}
			}
		})
	}
}

func TestSaveThenLoadRoundTrips(t *testing.T) {
	st := Store{Path: filepath.Join(t.TempDir(), "sub", FileName)}
	s := Defaults()
	s.Port, s.TLS = 8200, true
	s.Cameras[0].Stream.Quality, s.Cameras[0].Token = 42, "0123456789abcdef0123"
	s.Cameras[0].Stream.Codec, s.Cameras[0].Stream.Bitrate = "jpeg", 2_500_000
	s.Cameras = append(s.Cameras, Camera{Name: "dock", Stream: engine.DefaultSettings(), Token: "0123456789abcdef0123", Record: true})
	s.Record = Recording{Dir: "/var/lib/framecast", Keep: 36 * time.Hour, MaxSize: 2 << 40}
	if err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(st.Path); !strings.Contains(string(b), `"record": {
    "dir": "/var/lib/framecast",
    "keep": "36h",
    "maxSize": "2TiB"
  }`) {
		t.Errorf("the file does not keep the recording as a person writes it:\n%s", b)
	}
	got, warnings := st.Load()
	if !reflect.DeepEqual(got, s) || len(warnings) != 0 {
		t.Fatalf("got %+v, %q", got, warnings)
	}
	for name, bad := range map[string]Settings{
		"a quality of 0":        {Port: 8200, Cameras: []Camera{{Name: "a", Stream: engine.Settings{Source: "test", FPS: 30, Enabled: true}}}},
		"no camera":             {Port: 8200},
		"two cameras of a name": {Port: 8200, Cameras: []Camera{s.Cameras[1], s.Cameras[1]}},
		"a name with a slash":   {Port: 8200, Cameras: []Camera{{Name: "a/b", Stream: engine.DefaultSettings()}}},
		"recordings kept 5m":    {Port: 8200, Record: Recording{Dir: "r", Keep: 5 * time.Minute}, Cameras: s.Cameras[1:]},
	} {
		if err := st.Save(bad); err == nil {
			t.Fatalf("Save accepted settings with %s", name)
		}
	}
	if got, _ := st.Load(); !reflect.DeepEqual(got, s) {
		t.Fatal("a refused Save changed the file")
	}
}

func TestCorruptFilesLoadedInTheSameSecondAreEachKept(t *testing.T) {
	second := time.Date(2025, 3, 1, 12, 0, 0, 0, time.Local)
	cases := []struct {
		name string
		file func(i int) string
	}{
		{"corrupt files are each kept under a name of their own", func(i int) string { return fmt.Sprintf(`{"port": %d`, i) }},
		{"files too big to read are each moved aside under a name of their own", func(i int) string {
			return fmt.Sprintf(`{"port":%d,"token":"%s"}`, i, strings.Repeat("x", MaxFileSize))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := Store{Path: filepath.Join(t.TempDir(), FileName), now: func() time.Time { return second }}
			const n = 3
			for i := range n {
				if err := os.WriteFile(st.Path, []byte(c.file(i)), 0o600); err != nil {
					t.Fatal(err)
				}
				if _, warnings := st.Load(); !strings.Contains(strings.Join(warnings, "\n"), "kept in") {
					t.Fatalf("load %d: no copy kept: %q", i, warnings)
				}
			}
			copies, _ := filepath.Glob(st.Path + ".bad-*")
			if len(copies) != n {
				t.Fatalf("kept copies %v, want %d", copies, n)
			}
			seen := map[string]bool{}
			for _, p := range copies {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				seen[string(b)] = true
			}
			for i := range n {
				if !seen[c.file(i)] {
					t.Fatalf("file %d was not kept whole; copies %v", i, copies)
				}
			}
		})
	}
}

func TestAnOlderFileOfOneCameraBecomesAListOfOne(t *testing.T) {
	st := Store{Path: filepath.Join(t.TempDir(), FileName)}
	const old = `{"stream":{"source":"camera:1","quality":55,"process":[{"name":"faces"}]},"port":9000,"token":"abcdefghijklmnopqrstuv","tls":true,` +
		`"push":{"enabled":true,"relay":"wss://relay.example.com","stream":"line","publishToken":"publish-token-0123456789"}}`
	if err := os.WriteFile(st.Path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	got, warnings := st.Load()
	if len(warnings) != 0 {
		t.Fatalf("warnings %q", warnings)
	}
	want := Settings{Port: 9000, TLS: true, Cameras: []Camera{{Name: DefaultCamera, Stream: engine.DefaultSettings(),
		Token: "abcdefghijklmnopqrstuv", Push: Push{Enabled: true, Relay: "wss://relay.example.com", Stream: "line", PublishToken: "publish-token-0123456789"}}}}
	want.Cameras[0].Stream.Source, want.Cameras[0].Stream.Quality = "camera:1", 55
	want.Cameras[0].Stream.Process = []vision.Item{{Name: "faces"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	// Written again as a list at once: the next start reads the same.
	var onDisk map[string]json.RawMessage
	b, _ := os.ReadFile(st.Path)
	if err := json.Unmarshal(b, &onDisk); err != nil || onDisk["cameras"] == nil || onDisk["stream"] != nil || onDisk["token"] != nil {
		t.Fatalf("the file is now %s", b)
	}
	if again, warnings := st.Load(); !reflect.DeepEqual(again, want) || len(warnings) != 0 {
		t.Fatalf("loaded again: %+v, %q", again, warnings)
	}
	if copies, _ := filepath.Glob(st.Path + ".bad-*"); len(copies) != 0 {
		t.Fatalf("a good older file was kept aside: %v", copies)
	}
}
