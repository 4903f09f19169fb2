package server

import (
	"testing"

	"framecast/backend/protocol"
)

func TestFollowPicksTheRenditionAViewerTakesWhenTheLadderChanges(t *testing.T) {
	hd := protocol.Ladder(1280, 720, 80, protocol.DefaultRenditions())
	clip := []protocol.Rendition{{Name: "320p", W: 560, H: 320}, {Name: "240p", W: 420, H: 240}, {Name: "180p", W: 315, H: 180}}
	still := []protocol.Rendition{{Name: "480p", W: 640, H: 480}, {Name: "240p", W: 320, H: 240}, {Name: "180p", W: 240, H: 180}}
	cases := []struct {
		name      string
		cur, want string
		old, now  []protocol.Rendition
		key       string
	}{
		{"a rendition still offered is kept", "240p", "", hd, clip, "240p"},
		{"a vanished rendition gives way to the full size when that is nearest", "360p", "360p", hd, clip, ""},
		{"the nearest is by pixels: 640×480 is nearer 640×360 than 320×240", "360p", "360p", hd, still, ""},
		{"the full size is always offered", "", "", hd, []protocol.Rendition{{Name: "1080p", W: 1920, H: 1080}, {Name: "360p", W: 640, H: 360}}, ""},
		{"the rendition asked for comes back when it is offered again", "", "360p", clip, hd, "360p"},
		{"an adapting viewer keeps the level it has when still offered", "180p", "", clip, hd, "180p"},
		{"a stream of one size leaves only the full size", "240p", "240p", hd, nil, ""},
		{"a ladder announced after the viewer came keeps it at the full size", "", "", nil, hd, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := follow(c.cur, c.want, c.old, c.now); got != c.key {
				t.Fatalf("follow(%q, %q) = %q, want %q", c.cur, c.want, got, c.key)
			}
		})
	}
}
