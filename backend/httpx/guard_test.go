package httpx

import (
	"testing"
	"time"
)

func TestGuardForgetsAfterTheWindowAndCountsPerAddress(t *testing.T) {
	g := NewGuard(Limits{MaxFailedTokens: 2})
	t0 := time.Unix(1000, 0)
	g.failed("10.0.0.1", t0)
	g.failed("10.0.0.1", t0)
	cases := []struct {
		name string
		ip   string
		at   time.Time
		want bool
	}{
		{"the guessing address is blocked", "10.0.0.1", t0.Add(time.Second), true},
		{"another address is not", "10.0.0.2", t0.Add(time.Second), false},
		{"the guessing address is free again after the window", "10.0.0.1", t0.Add(failWindow + time.Second), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := g.blocked(c.ip, c.at); got != c.want {
				t.Fatalf("blocked = %v", got)
			}
		})
	}
}
