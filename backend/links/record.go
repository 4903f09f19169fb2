package links

import "time"

// Record is one viewer's connection, as the audit keeps it: which link
// (never its token), from where, when, how much. A connection still open
// has no End.
type Record struct {
	// Seq orders records of one audit, newest highest; the audit sets it.
	Seq uint64 `json:"seq,omitempty"`
	// Link is the link's name; "" the stream's own link (the operator's).
	Link   string `json:"link"`
	Stream string `json:"stream"`
	Addr   string `json:"addr"`
	// Kind is how it watched: "ws" (the viewer page, programs), "mjpeg",
	// "clip" (KindClip, a download of recorded footage).
	Kind      string `json:"kind"`
	Codec     string `json:"codec,omitempty"`
	Rendition string `json:"rendition,omitempty"`
	// Clip is the span of the recordings a clip download asked for, its
	// start and duration ("2026-12-06T10:00:00.000Z/30s"); "" for a
	// connection to the live stream.
	Clip  string    `json:"clip,omitempty"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
	Bytes uint64    `json:"bytes"`
	// Reason is why it ended when the server ended it ("revoked",
	// "expired", …); "" when the viewer left.
	Reason string `json:"reason,omitempty"`
	// Via names the relay the viewer watched through; "" this server.
	Via string `json:"via,omitempty"`
}

// KindClip is a download of recorded footage (clip.mp4). It is audited and
// cut like a viewer, but it is no viewer of the live stream: it does not
// count to a link's viewers, its cap or its watch time. The records of
// one playback's requests are joined into one (clipHolder).
const KindClip = "clip"

// Auditor keeps records of ended connections (the disk log, AuditLog;
// a relay's forwarding to its producer).
type Auditor interface {
	Write(Record)
}

// AuditQuery asks an audit for a page of records, newest first.
type AuditQuery struct {
	Link   string // "": any link
	Stream string // "": any stream
	// Before is the cursor: records older than this Seq; 0: the newest.
	Before uint64
	Limit  int // 1 to 1000; 0: 100
}

// AuditPage is a page of an audit, newest first.
type AuditPage struct {
	// Open are the connections open now (first page only).
	Open    []Record `json:"open,omitempty"`
	Records []Record `json:"records"`
	// Next is the cursor of the next page (AuditQuery.Before); 0: none.
	Next uint64 `json:"next,omitempty"`
}
