package server

import (
	"sync"
	"time"

	"framecast/backend/internal/directwrite"
	"framecast/backend/protocol"
)

// viewerOut is the one owner of a viewer's socket writes, and of the state
// only writing needs. Whoever holds mu writes, and nobody else: writePump,
// which waits for it (hello, events, pings, frames from the mailbox, bye),
// or the hub's fan-out goroutine in trySend, which only tries it and leaves
// the frame to the mailbox when it cannot write at once. gorilla's own
// replies to pings and closes reach the socket through the gate, between
// whole writes (directwrite.Gate). Every field is guarded by mu, the hello
// included.
type viewerOut struct {
	mu sync.Mutex
	// gate is the connection's when it is plain TCP through httpx.Listen,
	// so trySend can write without waiting; else nil.
	gate *directwrite.Gate
	// deadline is the write deadline last set.
	deadline time.Time
	// adapt moves the viewer between renditions, and an H.264 viewer
	// between bitrate steps, as its link allows (levels); nil where there
	// is nothing to move between: a JPEG viewer that pinned a rendition,
	// or of a stream of one size. nSent counts the frames written.
	adapt *adapter
	// steps: whether the stream made lower bitrate steps when adapt was
	// made (its levels hold them then).
	steps bool
	nSent uint64
	// pinned: the viewer asked for a rendition, want by name. ladder is
	// the renditions it was last told of, and epoch the hub's
	// RenditionsEpoch then: when that moves, relist looks again.
	pinned bool
	want   string
	ladder []protocol.Rendition
	epoch  uint64
	// waitKey: an H.264 viewer skips frames until the next keyframe (it
	// joined, moved to another rendition, or skipped one); drops is the
	// subscriber's RefDrops when last looked at (decodable).
	waitKey bool
	drops   uint64
}

// flight is the frames written to a viewer and not yet acked, and how soon
// acks come: the writer adds (sending), readPump's acks take (acked).
type flight struct {
	mu       sync.Mutex
	frames   []sentFrame   // oldest first, at most protocol.MaxInFlight; guarded by mu
	minDelay time.Duration // fastest send→ack seen; guarded by mu
	delay    time.Duration // smoothed send→ack time; guarded by mu
}
