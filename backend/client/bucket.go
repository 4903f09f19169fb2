package client

import (
	"errors"
	"time"
)

// errLinkClosed is what a paced read returns when the connection closes while
// it waits for the link.
var errLinkClosed = errors.New("slow link: connection closed")

// tokenBucket paces a byte stream to rate bytes a second, letting up to burst
// bytes through at once after a quiet spell. It is not safe for concurrent
// use: its owner is the one goroutine that reads the connection.
type tokenBucket struct {
	rate    float64 // bytes a second
	burst   float64 // most tokens held
	quantum int     // fewest bytes a read waits for: about 5 ms of the link
	tokens  float64
	last    time.Time // when tokens was last brought up to date
}

// newTokenBucket makes a full bucket for bps bits a second.
func newTokenBucket(bps, burst int) *tokenBucket {
	rate := float64(bps) / 8
	// Waking for every byte would cost CPU and say nothing more about the
	// link; 5 ms worth of it is finer than any frame interval.
	quantum := min(max(int(rate/200), 512), burst)
	return &tokenBucket{rate: rate, burst: float64(burst), quantum: quantum, tokens: float64(burst), last: time.Now()}
}

// refill adds the tokens earned since the last call.
func (b *tokenBucket) refill(now time.Time) {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
}

// wait blocks until a read of up to want bytes may go ahead and says how many
// bytes it may take (at least 1). Reads take bytes off the socket only when
// the link would have delivered them, so the kernel's small receive buffer
// stays full and the sender's queue grows as on a real slow link. It returns
// errLinkClosed if closed is closed first.
func (b *tokenBucket) wait(want int, closed <-chan struct{}) (int, error) {
	want = min(want, int(b.burst))
	b.refill(time.Now())
	if need := float64(min(want, b.quantum)); b.tokens < need {
		t := time.NewTimer(time.Duration((need - b.tokens) / b.rate * float64(time.Second)))
		select {
		case <-t.C:
		case <-closed:
			t.Stop()
			return 0, errLinkClosed
		}
		b.refill(time.Now())
	}
	return max(1, min(want, int(b.tokens))), nil
}

// spend takes n bytes' tokens, once they have been read.
func (b *tokenBucket) spend(n int) { b.tokens -= float64(n) }
