package backoff

import (
	"testing"
	"time"
)

func TestDelaysDoubleUpToTheCapWithJitter(t *testing.T) {
	b := New(500*time.Millisecond, 10*time.Second)
	steps := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, step := range steps {
		d := b.Next()
		if d < step/2 || d > step {
			t.Fatalf("retry %d: %v, want within [%v, %v]", i, d, step/2, step)
		}
	}
	b.Reset()
	if d := b.Next(); d > 500*time.Millisecond {
		t.Fatalf("after Reset: %v, want the first step again", d)
	}
}

func TestClientsThatFailedTogetherDoNotRetryTogether(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 100 {
		seen[New(time.Second, 10*time.Second).Next()] = true
	}
	if len(seen) < 50 {
		t.Fatalf("100 clients' first retries fell on %d distinct delays: they would come back together", len(seen))
	}
}

// The defaults are documented (docs/protocol.md, "Pushing"): 0.5 s
// doubling to 10 s.
func TestTheDefaultDelaysStartAtHalfASecondAndStopAtTenSeconds(t *testing.T) {
	b := NewDefault()
	steps := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, step := range steps {
		if b.step != step {
			t.Fatalf("retry %d: step %v, want %v", i, b.step, step)
		}
		if d := b.Next(); d < step/2 || d > step {
			t.Fatalf("retry %d: %v, want within [%v, %v]", i, d, step/2, step)
		}
	}
}
