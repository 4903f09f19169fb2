// Package meter measures event rates (frames per second) over a short
// sliding window, cheaply enough to call once per frame per viewer.
package meter

import (
	"sync"
	"time"
)

// window is how far back Rate looks. Two seconds smooths jitter while still
// following a change within a couple of seconds.
const window = 2 * time.Second

// size bounds the remembered events: enough for 120 fps over the window.
const size = 256

// Meter counts events in a sliding window. It is safe for concurrent use.
type Meter struct {
	mu    sync.Mutex
	times [size]time.Time // ring of event times; guarded by mu
	next  int
	n     int
}

// Tick records one event at time now.
func (m *Meter) Tick(now time.Time) {
	m.mu.Lock()
	m.times[m.next] = now
	m.next = (m.next + 1) % size
	if m.n < size {
		m.n++
	}
	m.mu.Unlock()
}

// Rate returns events per second over the window that ends at now.
func (m *Meter) Rate(now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	from := now.Add(-window)
	count := 0
	for i := 1; i <= m.n; i++ {
		t := m.times[(m.next-i+size)%size]
		if !t.After(from) {
			break
		}
		count++
	}
	return float64(count) / window.Seconds()
}
