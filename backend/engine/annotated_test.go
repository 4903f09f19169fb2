package engine

import (
	"errors"
	"maps"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/protocol"
	"framecast/backend/source"
	"framecast/backend/vision"

	"gocv.io/x/gocv"
)

// annotatedSource gives a picture with detections and metadata of its own,
// as the ingest source gives a producer's.
type annotatedSource struct {
	fakeSource
	dets []protocol.Detection
	meta map[string]string
}

func (a *annotatedSource) Detections() []protocol.Detection {
	return append([]protocol.Detection(nil), a.dets...)
}
func (a *annotatedSource) Meta() map[string]string { return maps.Clone(a.meta) }

// A source's own detections come first in the frame's header, before what
// the chain finds, scaled with the picture; its metadata comes too.
func TestASourcesDetectionsComeFirstScaledWithTheFrame(t *testing.T) {
	face := gocv.IMRead(filepath.Join("..", "vision", "testdata", "face.jpg"), gocv.IMReadColor)
	t.Cleanup(func() { face.Close() }) // after the engine's, which reads it
	if face.Empty() {
		t.Fatal("no face picture")
	}
	w := face.Cols()
	own := protocol.Detection{Label: "person", Score: 0.5, Box: [4]int{100, 40, 200, 120}}
	open := func(source.Spec, source.Options) (source.Source, error) {
		return &annotatedSource{
			fakeSource: fakeSource{
				ReadImpl:  func(m *gocv.Mat) error { time.Sleep(20 * time.Millisecond); face.CopyTo(m); return nil },
				CloseImpl: func() error { return nil },
			},
			dets: []protocol.Detection{own},
			meta: map[string]string{"model": "yolo"},
		}, nil
	}
	set := small()
	set.Source = "ingest"
	set.MaxWidth, set.MaxHeight = w/2, 0
	set.Process, _ = vision.ParseChain("faces")
	_, h := start(t, set, Deps{Open: open})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		f := next(t, s)
		dets := f.Header.Detections
		if len(dets) < 2 {
			continue // the chain may not find the face in every frame
		}
		k := float64(f.Header.W) / float64(w)
		want := own
		for i := range want.Box {
			want.Box[i] = int(float64(want.Box[i])*k + 0.5)
		}
		if dets[0] != want || dets[1].Label != "face" {
			t.Fatalf("detections %v, want the source's %v (scaled by %.2f) first, then the chain's face", dets, want, k)
		}
		if f.Header.Meta["model"] != "yolo" {
			t.Fatalf("meta %v, want the source's", f.Header.Meta)
		}
		return
	}
	t.Fatal("no frame with both the source's box and a face")
}

// resumable fails every read, and says when it may be read again through
// a channel the test closes.
type resumable struct {
	fakeSource
	resumed <-chan struct{}
}

func (r *resumable) Resumed() <-chan struct{} { return r.resumed }

// A lost source that says it may be read again (a producer that connects)
// is reopened then, not once the backoff is over.
func TestALostSourceIsReopenedWhenItSaysItResumed(t *testing.T) {
	var mu sync.Mutex
	wake := make(chan struct{}) // the next resumption; replaced once closed; guarded by mu
	var opens atomic.Int32
	opened := make(chan struct{}, 16)
	open := func(source.Spec, source.Options) (source.Source, error) {
		mu.Lock()
		src := &resumable{
			fakeSource: fakeSource{
				ReadImpl:  func(*gocv.Mat) error { return errors.New("waiting for the producer") },
				CloseImpl: func() error { return nil },
			},
			resumed: wake,
		}
		mu.Unlock()
		// Told once the source has its resumption: the one the test
		// closes next is this source's.
		opens.Add(1)
		opened <- struct{}{}
		return src, nil
	}
	set := small()
	set.Source = "ingest"
	_, h := start(t, set, Deps{Open: open})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	waitStatus(t, h, protocol.StateNoSignal)
	// Four reopens: the backoff's next wait is now 4 s at least.
	for opens.Load() < 5 {
		select {
		case <-opened:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d opens after 30 s", opens.Load())
		}
	}
	for len(opened) > 0 {
		<-opened
	}
	mu.Lock()
	close(wake)
	wake = make(chan struct{})
	mu.Unlock()
	resumedAt := time.Now()
	select {
	case <-opened:
		t.Logf("reopened %v after it resumed", time.Since(resumedAt).Round(time.Millisecond))
	case <-time.After(3 * time.Second):
		t.Fatal("not reopened within 3 s of resuming: the backoff was waited out")
	}
}
