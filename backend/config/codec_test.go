package config

import (
	"strings"
	"testing"
)

func TestCodecAndBitrateAreReadAsAPersonWritesThem(t *testing.T) {
	codecs := []struct {
		name, text, want, err string
	}{
		{"auto", "auto", "auto", ""},
		{"jpeg in capitals", "JPEG", "jpeg", ""},
		{"h264 alone is not a choice", "h264", "", `"h264" is not a codec choice: auto`},
		{"nothing is not a choice", "", "", "is not a codec choice"},
	}
	for _, c := range codecs {
		t.Run("codec "+c.name, func(t *testing.T) {
			got, err := ParseCodec(c.text)
			if got != c.want || (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
				t.Fatalf("ParseCodec(%q) = %q, %v; want %q, an error with %q", c.text, got, err, c.want, c.err)
			}
		})
	}
	bitrates := []struct {
		name, text string
		want       int
		err        string
	}{
		{"auto is 0", "auto", 0, ""},
		{"0 is auto", "0", 0, ""},
		{"M is megabits", "2M", 2_000_000, ""},
		{"a fraction of a megabit", "2.5M", 2_500_000, ""},
		{"k is kilobits", "800k", 800_000, ""},
		{"bits alone", "1500000", 1_500_000, ""},
		{"50k is the least", "50k", 50_000, ""},
		{"below 50k is refused", "49k", 0, `"49k" is out of range: use auto, or from 50k to 100M`},
		{"above 100M is refused", "101M", 0, "out of range"},
		{"a word is refused", "fast", 0, `"fast" is not a bitrate`},
		{"G is not a unit here", "1G", 0, "is not a bitrate"},
		{"not a number", "NaNM", 0, "is not a bitrate"},
	}
	for _, c := range bitrates {
		t.Run("bitrate "+c.name, func(t *testing.T) {
			got, err := ParseBitrate(c.text)
			if got != c.want || (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
				t.Fatalf("ParseBitrate(%q) = %d, %v; want %d, an error with %q", c.text, got, err, c.want, c.err)
			}
		})
	}
}
