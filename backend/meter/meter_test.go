package meter

import (
	"testing"
	"time"
)

func TestRate(t *testing.T) {
	start := time.Unix(1000, 0)
	cases := []struct {
		name   string
		fps    int
		for_   time.Duration
		at     time.Duration
		expect float64
	}{
		{"a steady 30 fps stream reads 30", 30, 5 * time.Second, 5 * time.Second, 30},
		{"a steady 5 fps stream reads 5", 5, 5 * time.Second, 5 * time.Second, 5},
		{"a stream that stopped long ago reads 0", 30, time.Second, 10 * time.Second, 0},
		{"a 500 fps stream reads 500, with no ceiling", 500, 5 * time.Second, 5 * time.Second, 500},
		{"a stream that stopped a second ago reads half its rate", 60, 5 * time.Second, 6 * time.Second, 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m Meter
			step := time.Second / time.Duration(c.fps)
			for d := time.Duration(0); d < c.for_; d += step {
				m.Tick(start.Add(d))
			}
			got := m.Rate(start.Add(c.at))
			if got < c.expect-0.6 || got > c.expect+0.6 {
				t.Fatalf("Rate = %.2f, want %.1f", got, c.expect)
			}
		})
	}
}

func TestAddCountsSeveralEventsAtOnce(t *testing.T) {
	start := time.Unix(1000, 0)
	var m Meter
	// 30 frames a second of 40,000 bytes each, for 5 s: 1.2 MB a second.
	for d := time.Duration(0); d < 5*time.Second; d += time.Second / 30 {
		m.Add(start.Add(d), 40_000)
	}
	if got := m.Rate(start.Add(5 * time.Second)); got < 1.19e6 || got > 1.21e6 {
		t.Fatalf("Rate = %.0f bytes a second, want 1,200,000", got)
	}
}
