// Package backoff spaces out retries: delays double from a first step up to
// a cap, and each is jittered, so that the many producers and cameras that
// lost the same relay or network do not all come back at the same instant.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Backoff gives the delays before successive retries. It is used by one
// goroutine.
type Backoff struct {
	first, max time.Duration
	step       time.Duration // the next delay before jitter
}

// The default delays, for a lost camera or a lost relay: the first retry
// is quick (the source or link was only hiccuping), later ones double up to
// a cap, so a camera unplugged or a relay down costs little, and one back
// is found within the cap.
const (
	DefaultFirst = 500 * time.Millisecond
	DefaultMax   = 10 * time.Second
)

// NewDefault returns a Backoff with the default delays, DefaultFirst
// doubling up to DefaultMax.
func NewDefault() *Backoff { return New(DefaultFirst, DefaultMax) }

// New returns a Backoff whose delays start at first and double up to max.
func New(first, max time.Duration) *Backoff {
	return &Backoff{first: first, max: max, step: first}
}

// Next returns the delay before the next retry, somewhere in the upper half
// of the current step ("equal jitter": never less than half, so retries
// still slow down), and doubles the step for the one after.
func (b *Backoff) Next() time.Duration {
	d := b.step
	b.step = min(b.step*2, b.max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// Reset starts again from the first step, after a success.
func (b *Backoff) Reset() { b.step = b.first }
