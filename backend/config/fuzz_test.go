package config

import (
	"os"
	"path/filepath"
	"testing"
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
