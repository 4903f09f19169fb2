package bench

import (
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"framecast/backend/client"
)

// LinkResult is what a LinkGroup's viewers saw while measuring.
type LinkResult struct {
	LinkGroup
	Group // their fps and latency
	// Renditions are the renditions they ended on (the frame header's
	// "rendition" of each viewer's last frame, and for H.264 its bitrate:
	// "-@960k") with how many viewers ended on each, such as "360p×2"; "-"
	// stands for a header without one.
	Renditions string
	// UseMedian and UseMin are the share of its link a viewer used: the
	// bytes it read from its socket a second, over the link's rate.
	UseMedian, UseMin float64
}

// summariseLinks sums each link group up.
func summariseLinks(rs []viewerResult, links []LinkGroup, d time.Duration) []LinkResult {
	var out []LinkResult
	for gi, g := range links {
		in := func(r viewerResult) bool { return r.role.link == gi+1 }
		lr := LinkResult{LinkGroup: g, Group: summarise(rs, in, d)}
		var use []float64
		ended := map[string]int{}
		for _, r := range rs {
			if !in(r) {
				continue
			}
			use = append(use, float64(r.bytes)*8/d.Seconds()/float64(g.Bps))
			ended[r.rendition]++
		}
		if len(use) == 0 {
			continue // not run (the Node.js baseline has no slow links)
		}
		slices.Sort(use)
		lr.UseMin, lr.UseMedian = use[0], use[len(use)/2]
		lr.Renditions = renditionCounts(ended)
		out = append(out, lr)
	}
	return out
}

// renditionCounts writes how many viewers ended on each rendition.
func renditionCounts(ended map[string]int) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(ended)) {
		label := name
		if label == "" {
			label = "-"
		}
		if len(ended) == 1 {
			return label
		}
		parts = append(parts, fmt.Sprintf("%s×%d", label, ended[name]))
	}
	return strings.Join(parts, " ")
}

// printLinks writes a row for each link group, after indent, named by its
// rate: "@2M".
func printLinks(w io.Writer, indent string, ls []LinkResult) {
	for _, l := range ls {
		asked := ""
		if l.Rendition != "" {
			asked = " asking " + l.Rendition
		}
		fmt.Fprintf(w, "%s%-5s viewers %3d  latency p50 %8s  p99 %8s  fps min %5.1f  median %5.1f  rendition %s  link use %.0f%% (min %.0f%%)%s\n",
			indent, "@"+FormatRate(l.Bps), l.LinkGroup.Viewers, ms(l.P50), ms(l.P99), l.MinFPS, l.MedianFPS,
			l.Renditions, 100*l.UseMedian, 100*l.UseMin, asked)
	}
}

// linkFrames is how many frames the link groups' viewers received.
func linkFrames(ls []LinkResult) int {
	n := 0
	for _, l := range ls {
		n += l.Frames
	}
	return n
}

// linksNote says what viewers on slow links a run has, for its title line.
func linksNote(links []LinkGroup) string {
	var s string
	for _, l := range links {
		s += fmt.Sprintf(" + %d on %s links", l.Viewers, FormatRate(l.Bps))
		if l.Rendition != "" {
			s += " asking " + l.Rendition
		}
	}
	return s
}

// linkURL is the URL a viewer dials: u, with ?rendition= for a link group
// that asks for one.
func linkURL(u string, r role, links []LinkGroup) string {
	if r.link == 0 || links[r.link-1].Rendition == "" {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "rendition=" + url.QueryEscape(links[r.link-1].Rendition)
}

// linkOptions dials a viewer of a link group on its slow link.
func linkOptions(r role, links []LinkGroup) client.DialOptions {
	if r.link == 0 {
		return client.DialOptions{}
	}
	return client.DialOptions{LinkBps: links[r.link-1].Bps}
}
