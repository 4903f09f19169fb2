package record

import (
	"sync"
	"time"

	"framecast/backend/protocol"
)

// queueFrames is how many frames wait for the writer before Write skips to
// the next keyframe: a few seconds of video.
const queueFrames = 150

// Status is what a recorder is doing.
type Status struct {
	Recording bool      // a segment is open
	Since     time.Time // the capture time of the first frame of this run of recording
	Err       string    // why recording stopped, until it resumes
	Bytes     int64     // bytes this recorder wrote: segments and detections
}

// Recorder writes one stream's frames to segments. Write hands frames to
// its goroutine, which owns the open segment.
type Recorder struct {
	s          *Store
	stream     string // guarded by s.mu: Rename changes it
	requestKey func()
	queue      chan frame    // Write → run; closed by Close
	done       chan struct{} // closed when run ends

	wmu     sync.Mutex // guards closed, waitKey, gap: Write's state
	closed  bool
	waitKey bool // frames are left out until the next keyframe
	gap     bool // frames were left out since the last one queued

	smu    sync.Mutex // guards status and closeErr
	status Status
	// closeErr is the error of the last segment's close, for Close.
	closeErr error

	w *writer // owned by run's goroutine
}

// frame is one access unit on its way to the writer.
type frame struct {
	ts      int64 // capture time, Unix µs
	key     bool
	gap     bool // frames were left out just before this one
	au      []byte
	dets    []protocol.Detection
	arrived time.Time
}

func newRecorder(s *Store, stream string, requestKey func()) *Recorder {
	r := &Recorder{
		s: s, stream: stream, requestKey: requestKey,
		queue: make(chan frame, queueFrames), done: make(chan struct{}),
		waitKey: true,
	}
	r.w = newWriter(r)
	go r.run()
	return r
}

// Write queues one H.264 access unit (Annex B; a keyframe, h.Key, starts
// with its SPS and PPS) with its header: h.TS (capture time), h.Detections
// and h.Placeholder are used. It never blocks. au must not change
// afterwards; it is kept without a copy until written. A placeholder is not
// recorded, nor anything after it before the next keyframe; when the queue
// is full, frames are skipped up to the next keyframe, which requestKey
// asks for.
func (r *Recorder) Write(h protocol.Header, au []byte) {
	ask := false
	r.wmu.Lock()
	switch {
	case r.closed:
	case h.Placeholder:
		ask = !r.waitKey
		r.waitKey, r.gap = true, true
	case r.waitKey && !h.Key:
	default:
		f := frame{ts: h.TS, key: h.Key, gap: r.gap, au: au, dets: h.Detections, arrived: time.Now()}
		select {
		case r.queue <- f:
			r.waitKey, r.gap = false, false
		default:
			ask = !r.waitKey
			r.waitKey, r.gap = true, true
		}
	}
	r.wmu.Unlock()
	if ask {
		r.requestKey()
	}
}

// Status returns what the recorder is doing.
func (r *Recorder) Status() Status {
	r.smu.Lock()
	defer r.smu.Unlock()
	return r.status
}

func (r *Recorder) setStatus(fn func(*Status)) {
	r.smu.Lock()
	fn(&r.status)
	r.smu.Unlock()
}

// Close writes the frames queued, closes the segment and waits for that.
func (r *Recorder) Close() error {
	r.wmu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.wmu.Unlock()
	<-r.done
	r.s.mu.Lock()
	if r.s.recorders[r.stream] == r {
		delete(r.s.recorders, r.stream)
	}
	r.s.mu.Unlock()
	r.smu.Lock()
	defer r.smu.Unlock()
	return r.closeErr
}

// run is the recorder's goroutine: it writes frames as they come and
// fragments when they are due.
func (r *Recorder) run() {
	defer close(r.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case f, ok := <-r.queue:
			if !ok {
				r.w.finish()
				return
			}
			r.w.add(f)
		case now := <-timer.C:
			r.w.tick(now)
		}
		if at, ok := r.w.deadline(); ok {
			timer.Reset(time.Until(at))
		} else {
			timer.Stop()
		}
	}
}
