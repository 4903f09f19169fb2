package source

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"framecast/backend/ingest"
	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// IngestWait is how long the ingest source waits for a producer's next
// frame before its Read fails, and viewers see NO SIGNAL.
const IngestWait = 2 * time.Second

// ErrNoProducer is the ingest source's Read error while no producer is
// connected, or none sent a frame for IngestWait: the engine shows it on
// the NO SIGNAL picture and tries again.
var ErrNoProducer = errors.New("waiting for the producer")

// ErrNeedsFeed is Open's error for "ingest": that source is opened on its
// stream's feed, by the stream (OpenIngest).
var ErrNeedsFeed = errors.New(`open source "ingest": only a server's stream can take a producer`)

// Annotated is a source whose frames come with what was found in them: the
// ingest source, whose producer sends its detections. The engine puts them
// in the frame's header before what its own chain finds.
type Annotated interface {
	// Detections are those of the frame last read, in its pixels; the
	// caller may change the slice.
	Detections() []protocol.Detection
	// Meta is the frame last read's metadata; nil: none.
	Meta() map[string]string
}

// Resumer is a source that can say when a failed Read may succeed again,
// so the engine need not wait out its backoff: the ingest source, whose
// producer may connect at any moment.
type Resumer interface {
	// Resumed is closed when something changed that may make the next
	// Read succeed; taken after a Read failed, before the source is closed.
	Resumed() <-chan struct{}
}

// feedSource reads a producer's frames from its stream's feed. The feed
// outlives it: closing it leaves the producer connected.
type feedSource struct {
	feed *ingest.Feed
	seq  uint64 // the Seq of the last picture read
	dets []protocol.Detection
	meta map[string]string
}

// OpenIngest opens the ingest source on feed.
func OpenIngest(feed *ingest.Feed) Source { return &feedSource{feed: feed} }

// Read waits for a picture newer than the last one read, for IngestWait
// at most, and decodes it into dst. It fails with ErrNoProducer while no
// producer is connected or none sent a picture in time.
func (s *feedSource) Read(dst *gocv.Mat) error {
	timeout := time.NewTimer(IngestWait)
	defer timeout.Stop()
	for {
		changed := s.feed.Changed()
		p, connected := s.feed.Latest()
		if p != nil && p.Seq > s.seq && time.Since(p.At) < IngestWait {
			s.seq = p.Seq
			if err := decodeInto(p.JPEG, dst); err != nil {
				// Its header could be read (the feed checks it), not
				// the rest: skipped, as a camera's torn frame is.
				continue
			}
			s.dets, s.meta = p.Detections, p.Meta
			return nil
		}
		if !connected {
			return ErrNoProducer
		}
		select {
		case <-changed:
		case <-timeout.C:
			return fmt.Errorf("%w: none sent a frame for %v", ErrNoProducer, IngestWait)
		}
	}
}

// decodeInto decodes a JPEG into dst.
func decodeInto(jpeg []byte, dst *gocv.Mat) error {
	m, err := gocv.IMDecode(jpeg, gocv.IMReadColor)
	if err != nil {
		return err
	}
	defer m.Close()
	if m.Empty() {
		return errors.New("the picture could not be decoded")
	}
	m.CopyTo(dst)
	return nil
}

func (s *feedSource) Detections() []protocol.Detection { return slices.Clone(s.dets) }

func (s *feedSource) Meta() map[string]string { return maps.Clone(s.meta) }

func (s *feedSource) Resumed() <-chan struct{} { return s.feed.Changed() }

func (s *feedSource) Close() error { return nil }
