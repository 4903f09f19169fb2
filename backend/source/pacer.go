package source

import "time"

// pacer spaces reads to a frame rate, for sources that have no clock of
// their own (the test pattern, a picture, a video file).
type pacer struct {
	interval time.Duration // zero: no pacing
	next     time.Time
}

func newPacer(fps float64) pacer {
	return pacer{interval: time.Duration(float64(time.Second) / fps)}
}

// wait sleeps until the next frame is due. After the first frame, or when
// the reader fell behind, it does not burst to catch up.
func (p *pacer) wait() {
	if p.interval <= 0 {
		return
	}
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > p.interval {
		p.next = now
	} else {
		time.Sleep(p.next.Sub(now))
	}
	p.next = p.next.Add(p.interval)
}
