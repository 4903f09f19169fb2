package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"framecast/backend/protocol"
)

// Recording is where streams are recorded and how long recordings are
// kept: serve's --record flags, a config file's record: section, and the
// desktop's settings. Retention deletes whole segments, oldest first, when
// they are older than Keep or while all of them are over MaxSize
// (docs/config.md).
type Recording struct {
	// Dir is the folder recordings go to, one folder per stream below it;
	// "": nothing is recorded. A relative one is relative to the folder
	// the program runs in.
	Dir string
	// Keep is how long a segment is kept after it ends; 0: no age limit.
	Keep time.Duration
	// MaxSize bounds the bytes of all the streams' segments, exported
	// clips aside; 0: no size limit.
	MaxSize int64
}

// MinKeep and MinMaxSize are the least Recording.Keep and MaxSize other
// than 0: less would delete a recording while someone looks for it.
const (
	MinKeep    = time.Hour
	MinMaxSize = 100_000_000 // 100MB
)

// Validate returns every problem, in words a person can act on.
func (r Recording) Validate() error {
	return errors.Join(checkKeep(r.Keep), checkMaxSize(r.MaxSize))
}

func checkKeep(d time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("keep %s: must not be negative", FormatKeep(d))
	case d > 0 && d < MinKeep:
		return fmt.Errorf("keep %s: must be at least %s (0: no age limit)", FormatKeep(d), FormatKeep(MinKeep))
	}
	return nil
}

func checkMaxSize(n int64) error {
	switch {
	case n < 0:
		return fmt.Errorf("max size %s: must not be negative", FormatSize(n))
	case n > 0 && n < MinMaxSize:
		return fmt.Errorf("max size %s: must be at least %s (0: no size limit)", FormatSize(n), FormatSize(MinMaxSize))
	}
	return nil
}

// recordingJSON is Recording as the settings file has it: keep and
// maxSize as a person writes them ("7d", "50GB").
type recordingJSON struct {
	Dir     string          `json:"dir"`
	Keep    string          `json:"keep"`
	MaxSize json.RawMessage `json:"maxSize"`
}

// MarshalJSON writes r as {"dir": …, "keep": "7d", "maxSize": "50GB"}.
func (r Recording) MarshalJSON() ([]byte, error) {
	size, err := json.Marshal(FormatSize(r.MaxSize))
	if err != nil {
		return nil, err
	}
	return json.Marshal(recordingJSON{Dir: r.Dir, Keep: FormatKeep(r.Keep), MaxSize: size})
}

// UnmarshalJSON reads what MarshalJSON writes; maxSize may also be a
// number of bytes. A key left out is 0 (""); values are held to their
// form here, and to their range by Validate.
func (r *Recording) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var j recordingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	out := Recording{Dir: j.Dir}
	var err error
	if j.Keep != "" {
		if out.Keep, err = ParseKeep(j.Keep); err != nil {
			return fmt.Errorf("keep: %w", err)
		}
	}
	if len(j.MaxSize) > 0 && string(j.MaxSize) != "null" {
		var text string
		if j.MaxSize[0] == '"' {
			if err := json.Unmarshal(j.MaxSize, &text); err != nil {
				return fmt.Errorf("maxSize: %w", err)
			}
		} else {
			text = string(j.MaxSize) // a number of bytes
		}
		if out.MaxSize, err = ParseSize(text); err != nil {
			return fmt.Errorf("maxSize: %w", err)
		}
	}
	*r = out
	return nil
}

// maxNumberText bounds the digits of a size or duration: more are a
// mistake, and would only cost time to read.
const maxNumberText = 64

// keepAdvice is ParseKeep's advice.
const keepAdvice = "write a duration such as 7d, 12h or 90m (0 or forever: no age limit)"

// ParseKeep reads how long recordings are kept, as a person writes it
// (serve's --record-keep, a config file's record.keep): a number and a
// unit, w (weeks), d (days), h, m, s, ms, us or ns, or several of them,
// such as 7d, 2w, 12h, 90m or 1d12h; 0, off or forever is 0, no age
// limit. A day is 24 hours.
func ParseKeep(text string) (time.Duration, error) {
	s := strings.TrimSpace(text)
	switch strings.ToLower(s) {
	case "0", "off", "forever":
		return 0, nil
	}
	bad := fmt.Errorf("%s: %s", protocol.Quote(text), keepAdvice)
	tooLong := fmt.Errorf("%s: too long to count; 0 or forever keeps recordings with no age limit", protocol.Quote(text))
	if s == "" || len(s) > maxNumberText {
		return 0, bad
	}
	var total time.Duration
	for s != "" {
		n := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if n <= 0 {
			return 0, bad // no number, or a number without a unit
		}
		u := strings.IndexAny(s[n:], "0123456789.")
		if u < 0 {
			u = len(s) - n
		}
		num, unit := s[:n], s[n:n+u]
		s = s[n+u:]
		per := time.Duration(1)
		switch unit {
		case "d":
			unit, per = "h", 24
		case "w":
			unit, per = "h", 7*24
		}
		if !isDecimal(num) || !validUnit(unit) {
			return 0, bad
		}
		// A number and unit of the right form that do not read are
		// too many nanoseconds for a time.Duration.
		part, err := time.ParseDuration(num + unit)
		if err != nil || part > math.MaxInt64/per || total > math.MaxInt64-part*per {
			return 0, tooLong
		}
		total += part * per
	}
	return total, nil
}

// isDecimal reports whether s is a number of digits with at most one
// point, as time.ParseDuration reads one.
func isDecimal(s string) bool {
	return strings.Count(s, ".") <= 1 && strings.Trim(s, ".") != "" && strings.Trim(s, "0123456789.") == ""
}

// validUnit reports whether unit is one of time.ParseDuration's.
func validUnit(unit string) bool {
	switch unit {
	case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
		return true
	}
	return false
}

// FormatKeep writes d as ParseKeep reads it back exactly: in whole days,
// hours, minutes or seconds when it is one (7d, 36h, 90m), else as Go
// writes durations; 0 is forever.
func FormatKeep(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == 0:
		return "forever"
	case d < 0:
		return d.String()
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

// sizeUnits are the units of a size, largest first (FormatSize takes the
// first that divides a size): decimal ones 1000-based, *iB 1024-based.
var sizeUnits = []struct {
	name string
	n    int64
}{
	{"PiB", 1 << 50}, {"PB", 1e15},
	{"TiB", 1 << 40}, {"TB", 1e12},
	{"GiB", 1 << 30}, {"GB", 1e9},
	{"MiB", 1 << 20}, {"MB", 1e6},
	{"KiB", 1 << 10}, {"kB", 1e3},
	{"B", 1},
}

// sizeAdvice is ParseSize's advice.
const sizeAdvice = "write a size such as 50GB, 500MB or 2TiB (0 or off: no size limit)"

// ParseSize reads a number of bytes as a person writes it (serve's
// --record-max-size, a config file's record.max_size): a number, whole or
// with a fraction, and a unit, kB, MB, GB, TB or PB (1000-based), KiB,
// MiB, GiB, TiB or PiB (1024-based) or B, in any case and with or without
// a space, such as 50GB, 1.5TB or 2GiB; a plain number is bytes; 0 or off
// is 0. A fraction of a byte is left out.
func ParseSize(text string) (int64, error) {
	s := strings.TrimSpace(text)
	if strings.EqualFold(s, "off") {
		return 0, nil
	}
	bad := fmt.Errorf("%s: %s", protocol.Quote(text), sizeAdvice)
	n := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if n < 0 {
		n = len(s)
	}
	num, unitText := s[:n], strings.TrimSpace(s[n:])
	if !isDecimal(num) || len(num) > maxNumberText {
		return 0, bad
	}
	unit := int64(0)
	if unitText == "" {
		unit = 1
	}
	for _, u := range sizeUnits {
		if strings.EqualFold(unitText, u.name) {
			unit = u.n
		}
	}
	if unit == 0 {
		return 0, bad
	}
	var v big.Rat
	if _, ok := v.SetString(num); !ok {
		return 0, bad
	}
	v.Mul(&v, new(big.Rat).SetInt64(unit))
	b := new(big.Int).Quo(v.Num(), v.Denom())
	if !b.IsInt64() {
		return 0, fmt.Errorf("%s: too large; 0 or off is no size limit", protocol.Quote(text))
	}
	return b.Int64(), nil
}

// FormatSize writes n bytes as ParseSize reads them back exactly: in the
// largest unit that divides them (50GB, 2GiB, 1500MB), else as a plain
// number; 0 is off.
func FormatSize(n int64) string {
	if n == 0 {
		return "off"
	}
	for _, u := range sizeUnits {
		if n > 0 && u.n > 1 && n%u.n == 0 {
			return strconv.FormatInt(n/u.n, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}
