package bench

import (
	"reflect"
	"testing"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"
)

func TestParseScenario(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Scenario
		bad  bool
	}{
		{"viewers and slow readers read as before", "50/5", Scenario{Viewers: 50, Slow: 5}, false},
		{"viewers on 2 Mbit/s links come beside the others", "20/0/2@2M",
			Scenario{Viewers: 20, Links: []LinkGroup{{Viewers: 2, Bps: 2_000_000}}}, false},
		{"several link groups, one asking for a rendition", "20/0/1@1M+3@500k:360p",
			Scenario{Viewers: 20, Links: []LinkGroup{{Viewers: 1, Bps: 1_000_000}, {Viewers: 3, Bps: 500_000, Rendition: "360p"}}}, false},
		{"only viewers on slow links", "0/0/2@2M", Scenario{Links: []LinkGroup{{Viewers: 2, Bps: 2_000_000}}}, false},
		{"more slow readers than viewers is refused", "5/6", Scenario{}, true},
		{"no viewers at all is refused", "0/0", Scenario{}, true},
		{"a link group without a rate is refused", "20/0/2", Scenario{}, true},
		{"a link group of none is refused", "20/0/0@2M", Scenario{}, true},
		{"a rate that is not one is refused", "20/0/2@fast", Scenario{}, true},
		{"a fourth part is refused", "20/0/2@2M/1", Scenario{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseScenario(c.in)
			if (err != nil) != c.bad {
				t.Fatalf("ParseScenario(%q) error %v, want error %v", c.in, err, c.bad)
			}
			if !c.bad && !reflect.DeepEqual(got, c.want) {
				t.Fatalf("ParseScenario(%q) = %+v, want %+v", c.in, got, c.want)
			}
			if !c.bad && got.String() != c.in {
				t.Fatalf("%+v written as %q, want %q", got, got.String(), c.in)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"500k", 500_000}, {"1M", 1_000_000}, {"2M", 2_000_000}, {"1.5M", 1_500_000},
		{"64000", 64_000}, {"1G", 1_000_000_000}, {"0", 0}, {"-1M", 0}, {"M", 0}, {"NaN", 0},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseRate(c.in)
			if got != c.want || (err != nil) != (c.want == 0) {
				t.Fatalf("ParseRate(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
			if err == nil {
				if back, _ := ParseRate(FormatRate(got)); back != got {
					t.Fatalf("FormatRate(%d) = %q reads back as %d", got, FormatRate(got), back)
				}
			}
		})
	}
}

func TestSummariseLinksReportsEachGroupApart(t *testing.T) {
	links := []LinkGroup{{Viewers: 2, Bps: 2_000_000}, {Viewers: 1, Bps: 500_000}}
	d := 10 * time.Second
	rs := []viewerResult{
		{role: role{}, frames: 300, bytes: 1 << 30},
		{role: role{link: 1}, frames: 60, bytes: 2_250_000, rendition: "360p", latencies: []time.Duration{time.Millisecond}},
		{role: role{link: 1}, frames: 70, bytes: 2_500_000, latencies: []time.Duration{time.Millisecond}},
		{role: role{link: 2}, frames: 20, bytes: 500_000, rendition: "180p", latencies: []time.Duration{time.Millisecond}},
	}
	got := summariseLinks(rs, links, d)
	if len(got) != 2 {
		t.Fatalf("%d link results, want 2", len(got))
	}
	first, second := got[0], got[1]
	if first.Group.Viewers != 2 || first.MinFPS != 6 || first.MedianFPS != 7 {
		t.Errorf("2 Mbit/s group: %d viewers at %.1f/%.1f fps, want 2 at 6/7", first.Group.Viewers, first.MinFPS, first.MedianFPS)
	}
	// 2.25 MB and 2.5 MB in 10 s on 250 kB/s links: 90 % and 100 %.
	if first.UseMin != 0.9 || first.UseMedian != 1 {
		t.Errorf("2 Mbit/s group used %.2f (min %.2f) of its links, want 1 (min 0.9)", first.UseMedian, first.UseMin)
	}
	if first.Renditions != "-×1 360p×1" || second.Renditions != "180p" {
		t.Errorf("renditions %q and %q, want %q and %q", first.Renditions, second.Renditions, "-×1 360p×1", "180p")
	}
	if second.UseMedian != 0.8 {
		t.Errorf("500 kbit/s group used %.2f of its link, want 0.8", second.UseMedian)
	}
}

func TestAFramesStepNamesItsRenditionAndForH264ItsBitrate(t *testing.T) {
	cases := []struct {
		name string
		m    client.Message
		want string
	}{
		{"a JPEG frame of the own size", client.Message{Frame: &protocol.Header{}}, ""},
		{"a JPEG frame of a rendition", client.Message{Frame: &protocol.Header{Rendition: "360p"}, Rendition: "360p"}, "360p"},
		{"an H.264 frame of the own size", client.Message{Frame: &protocol.Header{Codec: "h264", Bitrate: 1_935_360}}, "-@1.93M"},
		{"an H.264 frame of a rendition's lower step", client.Message{Frame: &protocol.Header{Codec: "h264", Rendition: "360p", Bitrate: 241_920}, Rendition: "360p"}, "360p@240k"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := stepLabel(c.m); got != c.want {
				t.Fatalf("%q, want %q", got, c.want)
			}
		})
	}
}
