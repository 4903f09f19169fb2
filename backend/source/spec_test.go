package source

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Spec
		err  string
	}{
		{"test names the pattern", "test", Spec{Kind: KindTest}, ""},
		{"camera:N names a camera by index", "camera:2", Spec{Kind: KindCamera, Index: 2}, ""},
		{"a camera API may be chosen, as the old scripts did with CAP_DSHOW", "camera:0?api=dshow", Spec{Kind: KindCamera, Index: 0, API: "dshow"}, ""},
		{"camera API names are read in any case", "camera:1?api=MSMF", Spec{Kind: KindCamera, Index: 1, API: "msmf"}, ""},
		{"v4l2 and avfoundation are camera APIs", "camera:3?api=avfoundation", Spec{Kind: KindCamera, Index: 3, API: "avfoundation"}, ""},
		{"api=any is OpenCV's own choice, as no api at all", "camera:0?api=any", Spec{Kind: KindCamera, Index: 0}, ""},
		{"an unknown camera API is refused with the list", "camera:0?api=directx", Spec{}, "dshow, msmf, v4l2, avfoundation, any"},
		{"anything but api after the index is refused", "camera:0?fps=30", Spec{}, "only ?api=NAME"},
		{"an index with a bad query is refused", "camera:x?api=dshow", Spec{}, "camera index"},
		{"an rtsp URL is a network source", "rtsp://cam.local/live", Spec{Kind: KindURL, URL: "rtsp://cam.local/live"}, ""},
		{"an https URL is a network source", "https://x.test/a.mjpg", Spec{Kind: KindURL, URL: "https://x.test/a.mjpg"}, ""},
		{"anything else is a file path", "/tmp/line.mp4", Spec{Kind: KindFile, Path: "/tmp/line.mp4"}, ""},
		{"an empty spec is refused", "  ", Spec{}, "empty source"},
		{"a camera index that is not a number is refused", "camera:front", Spec{}, "camera index"},
		{"a negative camera index is refused", "camera:-1", Spec{}, "camera index"},
		{"an unknown scheme is refused", "ftp://x/y", Spec{}, "unsupported scheme"},
		{"a URL without a host is refused", "rtsp:///live", Spec{}, "no host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSpec(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			if again, _ := ParseSpec(got.String()); again != got {
				t.Fatalf("String() %q does not parse back to the same spec", got.String())
			}
		})
	}
}
