package hub

import (
	"runtime"
	"sync"
)

// fanOutShare is how many viewers one goroutine serves in fanOut: the
// writes to that many viewers take a small part of a frame interval, so
// more viewers are split over more goroutines (cores), fewer are not, since
// a second goroutine per frame only takes the core that reads the viewers'
// acks. What the split costs and saves is measured in docs/PERFORMANCE.md
// ("Frames written by the fan-out goroutine"); figures live there.
const fanOutShare = 256

// fanJob is a frame and the viewers written to directly it is for.
type fanJob struct {
	f  *Frame
	to []*Subscriber
}

// fanOutLocked has job done by the hub's fan-out goroutine, starting it if
// none runs; h.mu is held. One goroutine at a time, taking frames in the
// order they came, keeps each viewer's frames in order. When frames come
// faster than their writes go (a machine short of CPU), a rendition's
// newer frame replaces the one still waiting, as in a viewer's mailbox,
// and with its one exception (Subscriber.offerFrame): a frame others refer
// to stays, and a newer one none refers to is skipped instead. Either
// way the frame skipped counts as each of its viewers' skip, so an H.264
// viewer knows to wait for a keyframe.
func (h *Hub) fanOutLocked(job fanJob) {
	if h.fan == nil {
		h.fan = make(map[string]fanJob)
	}
	if old, ok := h.fan[job.f.Rendition]; ok {
		if job.f.Disposable() && !old.f.Disposable() {
			for _, s := range job.to {
				s.skipped(job.f)
			}
			return // the goroutine is on its way to old
		}
		for _, s := range old.to {
			s.skipped(old.f)
		}
	}
	h.fan[job.f.Rendition] = job
	if !h.fanning {
		h.fanning = true
		go h.fanOutLoop()
	}
}

func (h *Hub) fanOutLoop() {
	for {
		h.mu.Lock()
		var job fanJob
		for r, j := range h.fan {
			job = j
			delete(h.fan, r)
			break
		}
		if job.f == nil {
			h.fanning = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		fanOut(job.to, job.f)
	}
}

// fanOut offers f to every subscriber in to, the work split over up to
// GOMAXPROCS goroutines when there are many (an offer may be a write
// system call, SetDirect). It returns when every viewer has been offered f,
// so the next frame never overtakes it.
func fanOut(to []*Subscriber, f *Frame) {
	parts := min(runtime.GOMAXPROCS(0), (len(to)+fanOutShare-1)/fanOutShare)
	if parts <= 1 {
		for _, s := range to {
			s.offer(f)
		}
		return
	}
	var wg sync.WaitGroup
	size := (len(to) + parts - 1) / parts
	for len(to) > size {
		part := to[:size]
		to = to[size:]
		wg.Go(func() {
			for _, s := range part {
				s.offer(f)
			}
		})
	}
	for _, s := range to {
		s.offer(f)
	}
	wg.Wait()
}
