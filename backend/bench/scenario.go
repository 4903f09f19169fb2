package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// ScenarioSyntax explains ParseScenario's input, for flag help and errors.
const ScenarioSyntax = "VIEWERS/SLOW[/K@RATE[:RENDITION][+K@RATE…]]: VIEWERS viewers, SLOW of them " +
	"reading only --slow-fps frames a second, and K more beside them on links of RATE bits a second " +
	"(500k, 1M, 2M…), asking for ?rendition=RENDITION if given; for example 50/5, 20/0/2@2M, 20/0/2@2M+2@500k"

// LinkGroup is a set of viewers on slow links of one rate. They read their
// socket no faster than the link carries and ack every frame they get.
type LinkGroup struct {
	Viewers   int
	Bps       int    // the link's rate, bits a second
	Rendition string // what they ask for with ?rendition=; "": nothing, the server picks
}

// String writes the group as ParseScenario reads it.
func (g LinkGroup) String() string {
	s := strconv.Itoa(g.Viewers) + "@" + FormatRate(g.Bps)
	if g.Rendition != "" {
		s += ":" + g.Rendition
	}
	return s
}

// Scenario is one run's viewers.
type Scenario struct {
	Viewers int // viewers on the loopback's full speed
	Slow    int // of Viewers, how many read only SlowFPS frames a second
	Links   []LinkGroup
}

// String writes the scenario as ParseScenario reads it.
func (sc Scenario) String() string {
	s := fmt.Sprintf("%d/%d", sc.Viewers, sc.Slow)
	for i, g := range sc.Links {
		if i == 0 {
			s += "/"
		} else {
			s += "+"
		}
		s += g.String()
	}
	return s
}

// ParseScenario reads one scenario as ScenarioSyntax says.
func ParseScenario(s string) (Scenario, error) {
	var sc Scenario
	bad := func(why string) (Scenario, error) {
		return Scenario{}, fmt.Errorf("scenario %q: %s; want %s", s, why, ScenarioSyntax)
	}
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return bad("not two or three parts")
	}
	var err error
	if sc.Viewers, err = strconv.Atoi(parts[0]); err != nil || sc.Viewers < 0 {
		return bad("VIEWERS is not a count")
	}
	if sc.Slow, err = strconv.Atoi(parts[1]); err != nil || sc.Slow < 0 || sc.Slow > sc.Viewers {
		return bad("SLOW is not a count up to VIEWERS")
	}
	if len(parts) == 3 {
		for _, g := range strings.Split(parts[2], "+") {
			count, rest, ok := strings.Cut(g, "@")
			rate, rendition, _ := strings.Cut(rest, ":")
			var lg LinkGroup
			if lg.Viewers, err = strconv.Atoi(count); !ok || err != nil || lg.Viewers < 1 {
				return bad(fmt.Sprintf("%q is not K@RATE", g))
			}
			if lg.Bps, err = ParseRate(rate); err != nil {
				return bad(err.Error())
			}
			lg.Rendition = rendition
			sc.Links = append(sc.Links, lg)
		}
	}
	if sc.Viewers == 0 && len(sc.Links) == 0 {
		return bad("no viewers")
	}
	return sc, nil
}

// ParseRate reads a link rate in bits a second: a number with an optional
// k, M or G (powers of 1000), such as 500k, 1M, 2M or 1.5M.
func ParseRate(s string) (int, error) {
	mult := 1.0
	num := s
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, num = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult, num = 1e6, s[:len(s)-1]
	case strings.HasSuffix(s, "G"), strings.HasSuffix(s, "g"):
		mult, num = 1e9, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(num, 64)
	bps := f * mult
	// At least a byte every few seconds; at most what an int64 holds.
	if err != nil || !(bps >= 8 && bps < 1e15) {
		return 0, fmt.Errorf("link rate %q: want bits a second such as 500k, 1M or 2M", s)
	}
	return int(bps), nil
}

// FormatRate writes a rate in bits a second as ParseRate reads it.
func FormatRate(bps int) string {
	for _, u := range []struct {
		unit string
		size int
	}{{"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if bps >= u.size {
			return strconv.FormatFloat(float64(bps)/float64(u.size), 'f', -1, 64) + u.unit
		}
	}
	return strconv.Itoa(bps)
}

// role is what one viewer of a run does.
type role struct {
	slow bool // reads only SlowFPS frames a second
	link int  // 1 + the index of its LinkGroup; 0: on no slow link
}

// roles lists a run's viewers: the slow readers first, then the rest of
// viewers, then each link group's.
func roles(viewers, slow int, links []LinkGroup) []role {
	var rs []role
	for i := range viewers {
		rs = append(rs, role{slow: i < slow})
	}
	for gi, g := range links {
		for range g.Viewers {
			rs = append(rs, role{link: gi + 1})
		}
	}
	return rs
}
