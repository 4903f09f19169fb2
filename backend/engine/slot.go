package engine

import (
	"sync"
	"time"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// poolSize Mats circulate: one being captured into, one waiting in the
// slot, one being processed. None is ever used by two goroutines at once.
const poolSize = 3

// grabbed is a captured frame on its way to processing.
type grabbed struct {
	mat gocv.Mat
	ts  time.Time // capture time
	// placeholder marks the NO SIGNAL frame: it skips the processing chain.
	placeholder bool
	// dets and meta came with the frame from its source (source.Annotated):
	// a producer's detections, put before the chain's.
	dets []protocol.Detection
	meta map[string]string
}

// slot hands the newest captured frame to the processing goroutine. When
// processing is slower than the source, a waiting frame is replaced by a
// newer one (and counted as skipped): frames are skipped, never queued.
type slot struct {
	mu   sync.Mutex
	item *grabbed // guarded by mu
	// ready has room for one signal, sent when item is set.
	ready chan struct{}
	// free holds the Mats nobody uses; it is never closed.
	free chan gocv.Mat
	all  [poolSize]gocv.Mat
}

func newSlot() *slot {
	s := &slot{ready: make(chan struct{}, 1), free: make(chan gocv.Mat, poolSize)}
	for i := range s.all {
		s.all[i] = gocv.NewMat()
		s.free <- s.all[i]
	}
	return s
}

// put leaves g for processing and reports whether it replaced a frame that
// was still waiting; that frame's Mat goes back to the pool.
func (s *slot) put(g grabbed) (replaced bool) {
	s.mu.Lock()
	old := s.item
	s.item = &g
	s.mu.Unlock()
	if old != nil {
		s.free <- old.mat
	}
	select {
	case s.ready <- struct{}{}:
	default:
	}
	return old != nil
}

// take returns the waiting frame, or nil.
func (s *slot) take() *grabbed {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.item
	s.item = nil
	return g
}

// close frees every Mat; both goroutines must have stopped.
func (s *slot) close() {
	for _, m := range s.all {
		m.Close()
	}
}
