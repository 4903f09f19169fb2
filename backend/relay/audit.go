package relay

import (
	"sync"

	"framecast/backend/links"
	"framecast/backend/protocol"
)

// maxAuditQueue bounds the records a stream keeps for its producer while
// none is connected (or, in a cluster, while the bus is away): past it the
// oldest are dropped, and counted.
const maxAuditQueue = 4096

// auditQueue is a stream's Book's audit: the records of its viewers'
// connections that ended, kept until they go to the producer (tellViewers)
// or, on a relay that follows the stream in a cluster, to the holder over
// the bus (KindAudit), which passes them on to its producer.
type auditQueue struct {
	mu      sync.Mutex
	recs    []protocol.AuditRecord // oldest first; guarded by mu
	dropped uint64                 // not yet logged; guarded by mu
	// ready is closed while records wait, and replaced once they are
	// taken. Guarded by mu.
	ready  chan struct{}
	closed bool // ready is closed; guarded by mu
}

func newAuditQueue() *auditQueue { return &auditQueue{ready: make(chan struct{})} }

// Write keeps the record of a connection that ended here.
func (q *auditQueue) Write(r links.Record) {
	q.add(protocol.AuditRecord{Link: r.Link, Stream: r.Stream, Addr: r.Addr, Kind: r.Kind, Codec: r.Codec,
		Rendition: r.Rendition, Start: r.Start, End: r.End, Bytes: r.Bytes, Reason: r.Reason})
}

// add keeps records, from this relay or another of the cluster.
func (q *auditQueue) add(recs ...protocol.AuditRecord) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.recs = append(q.recs, recs...)
	if over := len(q.recs) - maxAuditQueue; over > 0 {
		q.recs = append(q.recs[:0], q.recs[over:]...)
		q.dropped += uint64(over)
	}
	if len(q.recs) > 0 && !q.closed {
		close(q.ready)
		q.closed = true
	}
}

// waiting is closed while records wait to be taken.
func (q *auditQueue) waiting() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ready
}

// take takes the oldest records, at most a message's, and how many were
// dropped since the last take.
func (q *auditQueue) take() ([]protocol.AuditRecord, uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.recs), protocol.MaxAuditRecords)
	out := make([]protocol.AuditRecord, n)
	copy(out, q.recs)
	q.recs = append(q.recs[:0], q.recs[n:]...)
	if len(q.recs) == 0 && q.closed {
		q.ready = make(chan struct{})
		q.closed = false
	}
	dropped := q.dropped
	q.dropped = 0
	return out, dropped
}
