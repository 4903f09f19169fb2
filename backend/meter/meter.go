// Package meter measures event rates (frames or bytes per second) over a
// short sliding window, cheaply enough to call once per frame per viewer.
package meter

import (
	"sync"
	"time"
)

// window is how far back Rate looks. Two seconds smooths jitter while still
// following a change within a couple of seconds.
const window = 2 * time.Second

// slot is the time one bucket counts. Events are counted per slot, not
// remembered one by one, so any rate can be measured in fixed memory.
const slot = 100 * time.Millisecond

// slots is how many buckets the window needs, plus the one partly inside it.
const slots = int(window/slot) + 1

// Meter counts events in a sliding window. It is safe for concurrent use.
type Meter struct {
	mu     sync.Mutex
	counts [slots]uint64 // events per slot, a ring indexed by slot number; guarded by mu
	last   int64         // slot number of the newest event; guarded by mu
}

// Tick records one event at time now.
func (m *Meter) Tick(now time.Time) { m.Add(now, 1) }

// Add records k events at time now, such as k bytes: Rate is then bytes a
// second.
func (m *Meter) Add(now time.Time, k uint64) {
	n := now.UnixNano() / int64(slot)
	m.mu.Lock()
	m.advance(n)
	if n > m.last-int64(slots) { // an event older than the window is not counted
		m.counts[n%int64(slots)] += k
	}
	m.mu.Unlock()
}

// advance clears the slots between the newest event's and n; m.mu is held.
func (m *Meter) advance(n int64) {
	if n <= m.last {
		return
	}
	for i := m.last + 1; i <= n && i <= m.last+int64(slots); i++ {
		m.counts[i%int64(slots)] = 0
	}
	m.last = n
}

// Rate returns events per second over the window that ends at now.
func (m *Meter) Rate(now time.Time) float64 {
	end := now.UnixNano()
	from := end - int64(window)
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum float64
	for i := int64(0); i < int64(slots); i++ {
		n := m.last - i
		start, stop := n*int64(slot), (n+1)*int64(slot)
		if stop <= from || start > end {
			continue
		}
		c := float64(m.counts[n%int64(slots)])
		if start < from { // the oldest slot counts for the part inside the window
			c *= float64(stop-from) / float64(slot)
		}
		sum += c
	}
	return sum / window.Seconds()
}
