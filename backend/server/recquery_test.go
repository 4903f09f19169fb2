package server

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRecordingQueriesAreReadOrRefusedWithAReason(t *testing.T) {
	start := time.Date(2026, 12, 6, 14, 3, 5, 0, time.UTC)
	cases := []struct {
		query string
		d     time.Duration // wanted, when err is ""
		err   string
	}{
		{"start=2026-12-06T14:03:05Z&duration=5s", 5 * time.Second, ""},
		{"start=2026-12-06T15:03:05%2B01:00&duration=1m30s", 90 * time.Second, ""},
		{"start=2026-12-06T14:03:05Z&end=2026-12-06T14:03:10.5Z", 5500 * time.Millisecond, ""},
		{"start=2026-12-06T14:03:05Z&duration=1h", time.Hour, ""},
		{"duration=5s", 0, "start is missing"},
		{"start=yesterday&duration=5s", 0, `start "yesterday": write a time in RFC 3339`},
		{"start=2026-12-06 14:03:05&duration=5s", 0, "RFC 3339"},
		{"start=0001-01-01T00:00:00Z&duration=5s", 0, "not a time anything was recorded at"},
		{"start=2026-12-06T14:03:05Z", 0, "duration is missing"},
		{"start=2026-12-06T14:03:05Z&duration=5", 0, `duration "5": write a duration such as 5s`},
		{"start=2026-12-06T14:03:05Z&duration=0s", 0, "must be more than 0"},
		{"start=2026-12-06T14:03:05Z&duration=-5s", 0, "must be more than 0"},
		{"start=2026-12-06T14:03:05Z&duration=1h0m1s", 0, "at most 1h0m0s at a time"},
		{"start=2026-12-06T14:03:05Z&duration=99999999h", 0, "duration"},
		{"start=2026-12-06T14:03:05Z&end=2026-12-06T14:03:00Z", 0, "is not after start"},
		{"start=2026-12-06T14:03:05Z&end=2026-12-06T14:03:05Z", 0, "is not after start"},
		{"start=2026-12-06T14:03:05Z&end=2026-12-06T14:03:10Z&duration=5s", 0, "not both"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := parseSpan(q, MaxClip)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sp.start.Equal(start) || sp.d != c.d {
				t.Fatalf("got %v for %v, want %v for %v", sp.start, sp.d, start, c.d)
			}
		})
	}
}

func TestDetectionQueriesAreBounded(t *testing.T) {
	const span = "start=2026-12-06T14:00:00Z&duration=1h"
	cases := []struct{ query, err string }{
		{span, ""},
		{span + "&label=motion&every=5s&limit=10000", ""},
		{"start=2026-12-06T14:00:00Z&duration=24h", ""},
		{"start=2026-12-06T14:00:00Z&duration=25h", "at most 24h0m0s"},
		{span + "&limit=0", "limit \"0\": a number from 1 to 10000"},
		{span + "&limit=10001", "a number from 1 to 10000"},
		{span + "&limit=many", "a number from 1 to 10000"},
		{span + "&every=-1s", "every \"-1s\""},
		{span + "&every=soon", "every \"soon\""},
		{span + "&label=" + strings.Repeat("x", 65), "at most 64 printable"},
		{span + "&label=mo%00tion", "printable"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, _ := url.ParseQuery(c.query)
			dq, err := parseDetectionQuery(q)
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if dq.limit < 1 || dq.limit > MaxDetections {
					t.Fatalf("limit %d", dq.limit)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want one with %q", err, c.err)
			}
		})
	}
}

// FuzzRecordingQuery: whatever the query string, reading it never panics,
// and what it accepts is within the bounds.
func FuzzRecordingQuery(f *testing.F) {
	f.Add("start=2026-12-06T14:03:05Z&duration=5s&label=motion&every=1s&limit=5")
	f.Add("start=2026-12-06T14:03:05.123456789%2B14:00&end=2026-12-07T14:03:05Z")
	f.Add("start=9999-12-31T23:59:59Z&duration=9223372036854775807ns")
	f.Add("start=%zz&duration=1e9h")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if sp, err := parseSpan(q, MaxClip); err == nil && (sp.d <= 0 || sp.d > MaxClip || sp.start.IsZero()) {
			t.Fatalf("%q accepted as %v for %v", raw, sp.start, sp.d)
		}
		if dq, err := parseDetectionQuery(q); err == nil {
			if dq.d <= 0 || dq.d > MaxDetectionSpan || dq.limit < 1 || dq.limit > MaxDetections || dq.every < 0 || len(dq.label) > maxLabel {
				t.Fatalf("%q accepted as %+v", raw, dq)
			}
		}
	})
}
