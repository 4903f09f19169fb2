package ingest

import (
	"log/slog"
	"sync"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/protocol"
)

// Picture is one frame a producer sent to a Feed: its JPEG and what its
// header said of it. It is never changed once in the feed.
type Picture struct {
	Seq        uint64 // counted by the feed, from 1
	JPEG       []byte
	W, H       int
	Detections []protocol.Detection
	Meta       map[string]string
	At         time.Time // when it arrived
}

// Audience is who watches the feed's stream (the stream's hub): its count
// is sent to the producer, so a producer can idle while nobody watches.
type Audience interface {
	Count() int
	// Changed is closed at the next change of the count.
	Changed() <-chan struct{}
}

// FeedDeps are what a Feed is built from.
type FeedDeps struct {
	// Token is the publish token now; producers must give it as ?token=.
	Token func() string
	// Guard counts wrong tokens (the site's, shared by its streams).
	Guard    *httpx.Guard
	Audience Audience
	// MaxFrame bounds one picture; 0: DefaultMaxFrame.
	MaxFrame int
	Log      *slog.Logger
}

// Feed takes one producer at a time on a server's /ingest/<name> (the
// ingest source): ServeHTTP runs the producer's connection, and the newest
// picture it sent waits in a one-frame mailbox (newest wins) for the
// source to read. A Feed outlives the sources opened on it: a source
// reopened after NO SIGNAL does not drop the producer. Its methods are
// safe for concurrent use.
type Feed struct {
	d   FeedDeps
	log *slog.Logger

	mu     sync.Mutex
	newest *Picture // nil before the first; guarded by mu
	seq    uint64   // the last picture's Seq; guarded by mu
	// live is the producer connected now, or reserved for one whose
	// upgrade is under way; nil: none. Guarded by mu.
	live *Link
	// connected: the live producer's connection is open. Guarded by mu.
	connected bool
	// changed is closed (and replaced) at each new picture and each
	// producer that comes or goes. Guarded by mu.
	changed chan struct{}
	closed  bool // guarded by mu
	// wg counts the producer connections being served, for Close.
	wg sync.WaitGroup
}

// NewFeed returns a feed with no producer.
func NewFeed(d FeedDeps) *Feed {
	if d.MaxFrame <= 0 {
		d.MaxFrame = DefaultMaxFrame
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Feed{d: d, log: d.Log.With("component", "ingest"), changed: make(chan struct{})}
}

// Latest returns the newest picture (nil before any came) and whether a
// producer is connected now.
func (f *Feed) Latest() (p *Picture, connected bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.newest, f.connected
}

// Changed returns a channel closed at the next picture, or when a producer
// comes or goes.
func (f *Feed) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// Connected reports whether a producer is connected now.
func (f *Feed) Connected() bool {
	_, connected := f.Latest()
	return connected
}

// notifyLocked wakes whoever waits on Changed; f.mu is held.
func (f *Feed) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// put makes p the newest picture, if p's producer is still the live one.
func (f *Feed) put(from *Link, p Picture) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.live != from {
		return false
	}
	f.seq++
	p.Seq = f.seq
	f.newest = &p
	f.notifyLocked()
	return true
}

// Close ends the producer's connection, if any, refuses any later one,
// and waits for the connection to be done.
func (f *Feed) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.Kick("the server is shutting down")
	f.wg.Wait()
}

// Kick ends the live producer's connection, saying why (the stream's
// source is no longer ingest, say); a later producer may connect.
func (f *Feed) Kick(reason string) {
	f.mu.Lock()
	p := f.live
	f.mu.Unlock()
	if p != nil {
		p.Kick(reason)
	}
}
