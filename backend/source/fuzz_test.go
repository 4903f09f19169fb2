package source

import "testing"

// FuzzParseSpec: any text parses or is refused, and what parses reads back
// the same from its String form.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"test", "camera:0", "camera:0?api=dshow", "camera:2?api=any", "camera:-1", "rtsp://cam/live", "http://", "/tmp/a.mp4", "", "ftp://x", "camera:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSpec(s)
		if err != nil {
			return
		}
		again, err := ParseSpec(spec.String())
		if err != nil || again != spec {
			t.Fatalf("%q parsed as %+v, which reads back as %+v (%v)", s, spec, again, err)
		}
	})
}
