package hub

import (
	"runtime"
	"sync"
)

// fanOutShare is how many viewers one goroutine serves in fanOut: enough
// that starting a goroutine costs little beside their writes.
const fanOutShare = 64

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
