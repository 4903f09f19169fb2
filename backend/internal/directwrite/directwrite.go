// Package directwrite writes a frame to a viewer's socket from the hub's
// fan-out goroutine when that needs no wait, and without a copy per viewer
// (splice on Linux): what keeps a relay's CPU per delivered frame low. The
// listener (httpx) puts a Gate on every connection it accepts; the viewer
// endpoints (server) write frames through it.
package directwrite

import (
	"net"
	"sync"
	"syscall"
)

// Gate lets the hub's fan-out goroutine write a frame to a viewer
// itself, without waiting on the viewer's socket: one write system call per
// viewer from one goroutine, instead of waking each viewer's writer to make
// it. Every write on the connection goes through the gate (httpx's connections'
// Write, so gorilla's pings, pongs and closes too), one at a time; what a
// full socket did not take of a frame is written, blocking, before anything
// else by whichever writer comes next (the viewer's writer is poked to).
type Gate struct {
	conn net.Conn // the connection underneath
	mu   sync.Mutex
	raw  syscall.RawConn // nil unless plain TCP: then TryWrite never writes
	rest []byte          // the part of a frame the socket did not take; guarded by mu
}

// Gated is a connection whose every write goes through its Gate: those
// the listener (httpx) accepts.
type Gated interface {
	Gate() *Gate
}

// NewGate returns the gate of c, able to write without waiting when c
// is plain TCP.
func NewGate(c net.Conn) *Gate {
	g := &Gate{conn: c}
	if tc, ok := c.(*net.TCPConn); ok {
		if raw, err := tc.SyscallConn(); err == nil {
			g.raw = raw
		}
	}
	return g
}

// Direct reports whether TryWrite can write at all: the connection is plain
// TCP.
func (g *Gate) Direct() bool { return g.raw != nil }

// Write writes p to the connection after whatever is left of an earlier frame.
func (g *Gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.flushLocked(); err != nil {
		return 0, err
	}
	return g.conn.Write(p)
}

// Flush writes what is left of an earlier frame, if anything.
func (g *Gate) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.flushLocked()
}

func (g *Gate) flushLocked() error {
	if len(g.rest) == 0 {
		return nil
	}
	n, err := g.conn.Write(g.rest)
	g.rest = g.rest[n:]
	if len(g.rest) == 0 {
		g.rest = nil
	}
	return err
}

// TryWrite writes p, through sp when not nil, if it can start at once: nobody else is
// writing, nothing is left of an earlier frame and the socket takes some
// of it.
// sent says p was started; rest, that the socket did not take all of it
// and the remainder waits for the next writer (flush). p must not change
// afterwards.
func (g *Gate) TryWrite(p []byte, sp *Splicer) (sent, rest bool) {
	if g.raw == nil || !g.mu.TryLock() {
		return false, false
	}
	defer g.mu.Unlock()
	if len(g.rest) > 0 {
		return false, false
	}
	n := 0
	err := g.raw.Write(func(fd uintptr) bool {
		if sp != nil {
			n = sp.write(fd, p)
		} else {
			n = writeFD(fd, p)
		}
		return true // never wait: the caller has other viewers to serve
	})
	if err != nil || n <= 0 {
		return false, false // a deadline passed, the socket is full or broken: writePump sees to it
	}
	if n < len(p) {
		g.rest = p[n:]
		return true, true
	}
	return true, false
}
