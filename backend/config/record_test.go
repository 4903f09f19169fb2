package config

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseKeep(t *testing.T) {
	const day = 24 * time.Hour
	cases := []struct {
		name string
		text string
		want time.Duration
	}{
		{"days", "7d", 7 * day},
		{"weeks", "2w", 14 * day},
		{"hours", "12h", 12 * time.Hour},
		{"minutes", "90m", 90 * time.Minute},
		{"a Go duration", "1h30m", 90 * time.Minute},
		{"days and hours together", "1d12h", 36 * time.Hour},
		{"a fraction of a day", "1.5d", 36 * time.Hour},
		{"seconds", "7200s", 2 * time.Hour},
		{"spaces around it are left out", "  3d ", 3 * day},
		{"0 is no age limit", "0", 0},
		{"off is no age limit", "off", 0},
		{"forever is no age limit, in any case", "Forever", 0},
		{"0 days is no age limit", "0d", 0},
		{"the longest time a duration holds", "2562047h47m16.854775807s", math.MaxInt64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseKeep(c.text)
			if err != nil || got != c.want {
				t.Fatalf("ParseKeep(%q) = %v, %v; want %v", c.text, got, err, c.want)
			}
		})
	}
}

func TestParseKeepRefuses(t *testing.T) {
	cases := []struct {
		name string
		text string
		want string
	}{
		{"nothing", "", `"": write a duration such as 7d, 12h or 90m (0 or forever: no age limit)`},
		{"a number without a unit", "7", `"7": write a duration such as 7d`},
		{"words", "7 days", `"7 days": write a duration such as 7d`},
		{"a space inside", "7 d", `"7 d": write a duration`},
		{"a unit it does not know", "1y", `"1y": write a duration`},
		{"months, which are not all as long", "1M", `"1M": write a duration`},
		{"a negative one", "-1h", `"-1h": write a duration`},
		{"a unit without a number", "h", `"h": write a duration`},
		{"two points", "1.2.3h", `"1.2.3h": write a duration`},
		{"a point alone", ".d", `".d": write a duration`},
		{"an exponent", "1e3h", `"1e3h": write a duration`},
		{"too many days to count", "200000d", `"200000d": too long to count; 0 or forever keeps recordings with no age limit`},
		{"too many hours to count", "9999999h", `"9999999h": too long to count`},
		{"parts that overflow together", "2562047h2562047h", `"2562047h2562047h": too long to count`},
		{"a text too long to be a duration", strings.Repeat("1", 70) + "h", "write a duration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseKeep(c.text)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseKeep(%q) = %v, %v; want an error with %q", c.text, got, err, c.want)
			}
		})
	}
}

func TestFormatKeepReadsBack(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "forever"},
		{7 * 24 * time.Hour, "7d"},
		{14 * 24 * time.Hour, "14d"},
		{36 * time.Hour, "36h"},
		{90 * time.Minute, "90m"},
		{time.Hour + time.Second, "3601s"},
		{time.Hour + time.Millisecond, "1h0m0.001s"},
		{math.MaxInt64, "2562047h47m16.854775807s"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := FormatKeep(c.d); got != c.want {
				t.Fatalf("FormatKeep(%v) = %q, want %q", c.d, got, c.want)
			}
			if back, err := ParseKeep(c.want); err != nil || back != c.d {
				t.Fatalf("ParseKeep(%q) = %v, %v; want %v", c.want, back, err, c.d)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		name string
		text string
		want int64
	}{
		{"gigabytes are 1000-based", "50GB", 50_000_000_000},
		{"megabytes", "500MB", 500_000_000},
		{"terabytes", "1TB", 1_000_000_000_000},
		{"a fraction", "1.5GB", 1_500_000_000},
		{"gibibytes are 1024-based", "2GiB", 2 << 30},
		{"kibibytes", "3KiB", 3072},
		{"kilobytes in either case", "3KB", 3000},
		{"units in any case", "50gb", 50_000_000_000},
		{"a space before the unit", "50 GB", 50_000_000_000},
		{"bytes with a unit", "123B", 123},
		{"plain bytes", "123456789", 123456789},
		{"petabytes", "2PB", 2e15},
		{"a fraction of a byte is left out", "1.3KiB", 1331},
		{"0 is no size limit", "0", 0},
		{"off is no size limit, in any case", "OFF", 0},
		{"spaces around it are left out", " 7MB ", 7_000_000},
		{"the most bytes a size holds", "9223372036854775807", math.MaxInt64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSize(c.text)
			if err != nil || got != c.want {
				t.Fatalf("ParseSize(%q) = %v, %v; want %v", c.text, got, err, c.want)
			}
		})
	}
}

func TestParseSizeRefuses(t *testing.T) {
	cases := []struct {
		name string
		text string
		want string
	}{
		{"a unit without its B", "50 G", `"50 G": write a size such as 50GB, 500MB or 2TiB (0 or off: no size limit)`},
		{"nothing", "", `"": write a size`},
		{"a unit alone", "GB", `"GB": write a size`},
		{"a negative one", "-5GB", `"-5GB": write a size`},
		{"words", "fifty GB", `"fifty GB": write a size`},
		{"two points", "1.2.3GB", `"1.2.3GB": write a size`},
		{"a point alone", ".GB", `".GB": write a size`},
		{"an exponent", "1e9", `"1e9": write a size`},
		{"a unit it does not know", "5XB", `"5XB": write a size`},
		{"two units", "5GBMB", `"5GBMB": write a size`},
		{"too large to count", "9300PB", `"9300PB": too large; 0 or off is no size limit`},
		{"one byte too many", "9223372036854775808", "too large"},
		{"a number too long", strings.Repeat("1", 70), "write a size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSize(c.text)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseSize(%q) = %v, %v; want an error with %q", c.text, got, err, c.want)
			}
		})
	}
}

func TestFormatSizeReadsBack(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{0, "off"},
		{50_000_000_000, "50GB"},
		{1_500_000_000, "1500MB"},
		{2 << 30, "2GiB"},
		{1_024_000, "1000KiB"},
		{100_000_000, "100MB"},
		{123, "123"},
		{math.MaxInt64, "9223372036854775807"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := FormatSize(c.n); got != c.want {
				t.Fatalf("FormatSize(%d) = %q, want %q", c.n, got, c.want)
			}
			if back, err := ParseSize(c.want); err != nil || back != c.n {
				t.Fatalf("ParseSize(%q) = %v, %v; want %d", c.want, back, err, c.n)
			}
		})
	}
}

func TestRecordingValidate(t *testing.T) {
	cases := []struct {
		name string
		r    Recording
		want []string // each in the error; none: valid
	}{
		{"no folder is recording off", Recording{}, nil},
		{"no limits", Recording{Dir: "rec"}, nil},
		{"the least limits", Recording{Dir: "rec", Keep: time.Hour, MaxSize: 100_000_000}, nil},
		{"limits of a week and 50GB", Recording{Dir: "rec", Keep: 7 * 24 * time.Hour, MaxSize: 50_000_000_000}, nil},
		{"kept less than an hour", Recording{Dir: "rec", Keep: 30 * time.Minute}, []string{"keep 30m: must be at least 1h (0: no age limit)"}},
		{"a negative keep", Recording{Keep: -time.Hour}, []string{"keep -1h0m0s: must not be negative"}},
		{"under 100MB", Recording{Dir: "rec", MaxSize: 50_000_000}, []string{"max size 50MB: must be at least 100MB (0: no size limit)"}},
		{"a negative size", Recording{MaxSize: -5}, []string{"max size -5: must not be negative"}},
		{"both wrong are both told", Recording{Keep: time.Minute, MaxSize: 1}, []string{"keep 1m", "max size 1:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.r.Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate gave no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestRecordingJSON(t *testing.T) {
	r := Recording{Dir: "/var/lib/framecast", Keep: 7 * 24 * time.Hour, MaxSize: 50_000_000_000}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"dir":"/var/lib/framecast","keep":"7d","maxSize":"50GB"}`; string(b) != want {
		t.Fatalf("Marshal gave %s, want %s", b, want)
	}
	for _, r := range []Recording{r, {}, {Dir: "rec", Keep: 90 * time.Minute, MaxSize: 2 << 30}} {
		b, _ := json.Marshal(r)
		var back Recording
		if err := json.Unmarshal(b, &back); err != nil || back != r {
			t.Fatalf("%s reads back as %+v, %v; want %+v", b, back, err, r)
		}
	}

	cases := []struct {
		name string
		json string
		want Recording
		err  string // "" : none
	}{
		{"keys left out are 0", `{"dir":"rec"}`, Recording{Dir: "rec"}, ""},
		{"a size in bytes", `{"maxSize":200000000}`, Recording{MaxSize: 200_000_000}, ""},
		{"null sizes and keeps are 0", `{"dir":"a","keep":"","maxSize":null}`, Recording{Dir: "a"}, ""},
		{"null changes nothing", `null`, Recording{Dir: "before"}, ""},
		{"a keep that does not read", `{"keep":"7 days"}`, Recording{Dir: "before"}, `keep: "7 days": write a duration`},
		{"a keep that is a number", `{"keep":7}`, Recording{Dir: "before"}, "cannot unmarshal number"},
		{"a size that does not read", `{"maxSize":"50 G"}`, Recording{Dir: "before"}, `maxSize: "50 G": write a size`},
		{"a size that is negative", `{"maxSize":-1}`, Recording{Dir: "before"}, `maxSize: "-1": write a size`},
		{"a size that is a fraction", `{"maxSize":1.5e9}`, Recording{Dir: "before"}, `maxSize: "1.5e9": write a size`},
		{"a size that is an object", `{"maxSize":{}}`, Recording{Dir: "before"}, `maxSize: "{}": write a size`},
		{"a dir that is a number", `{"dir":5}`, Recording{Dir: "before"}, "cannot unmarshal number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Recording{Dir: "before"}
			err := json.Unmarshal([]byte(c.json), &got)
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("Unmarshal(%s): %v, want an error with %q", c.json, err, c.err)
			}
			if got != c.want {
				t.Fatalf("Unmarshal(%s) gave %+v, want %+v", c.json, got, c.want)
			}
		})
	}
}

// FuzzParseKeep: ParseKeep never panics, never gives a negative
// duration, and what it reads FormatKeep writes so it reads the same.
func FuzzParseKeep(f *testing.F) {
	for _, s := range []string{"7d", "2w", "1d12h", "1.5d", "90m", "forever", "0", "2562047h47m16.854775807s", "1h0m0.001s", "-1h", "1e3h", "7 d", "200000d", "µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseKeep(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseKeep(%q) = %v", s, d)
		}
		text := FormatKeep(d)
		if back, err := ParseKeep(text); err != nil || back != d {
			t.Fatalf("ParseKeep(%q) = %v; FormatKeep wrote %q, which reads as %v, %v", s, d, text, back, err)
		}
	})
}

// FuzzParseSize: ParseSize never panics, never gives a negative size,
// and what it reads FormatSize writes so it reads the same.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"50GB", "1.5GB", "2GiB", "1.3KiB", "off", "0", "123", "9223372036854775807", "9300PB", "50 G", ".5 tb", "5."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
		text := FormatSize(n)
		if back, err := ParseSize(text); err != nil || back != n {
			t.Fatalf("ParseSize(%q) = %d; FormatSize wrote %q, which reads as %d, %v", s, n, text, back, err)
		}
	})
}
