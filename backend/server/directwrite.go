package server

import (
	"net"
	"sync"
	"syscall"
)

// writeGate lets the hub's fan-out goroutine write a frame to a viewer
// itself, without waiting on the viewer's socket: one write system call per
// viewer from one goroutine, instead of waking each viewer's writer to make
// it. Every write on the connection goes through the gate (limitedConn's
// Write, so gorilla's pings, pongs and closes too), one at a time; what a
// full socket did not take of a frame is written, blocking, before anything
// else by whichever writer comes next (the viewer's writer is poked to).
type writeGate struct {
	conn net.Conn // the connection underneath
	mu   sync.Mutex
	raw  syscall.RawConn // nil unless plain TCP: then tryWrite never writes
	rest []byte          // the part of a frame the socket did not take; guarded by mu
}

// newWriteGate returns the gate of c, able to write without waiting when c
// is plain TCP.
func newWriteGate(c net.Conn) *writeGate {
	g := &writeGate{conn: c}
	if tc, ok := c.(*net.TCPConn); ok {
		if raw, err := tc.SyscallConn(); err == nil {
			g.raw = raw
		}
	}
	return g
}

// write writes p to c after whatever is left of an earlier frame.
func (g *writeGate) write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.flushLocked(); err != nil {
		return 0, err
	}
	return g.conn.Write(p)
}

// flush writes what is left of an earlier frame, if anything.
func (g *writeGate) flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.flushLocked()
}

func (g *writeGate) flushLocked() error {
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

// tryWrite writes p, through sp when not nil, if it can start at once: nobody else is
// writing, nothing is left of an earlier frame and the socket takes some
// of it.
// sent says p was started; rest, that the socket did not take all of it
// and the remainder waits for the next writer (flush). p must not change
// afterwards.
func (g *writeGate) tryWrite(p []byte, sp *frameSplicer) (sent, rest bool) {
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
