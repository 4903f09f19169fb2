package httpx

import (
	"framecast/backend/internal/directwrite"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// refusalReportEvery paces the log line about refused connections: one
// line with a count, never one per connection.
const refusalReportEvery = 10 * time.Second

// connLimiter is a listener that bounds the connections it keeps open,
// WebSocket, MJPEG and plain HTTP alike: MaxConns in all, MaxConnsPerIP
// from one address. Without it, idle connections from one address can use
// up the process's file descriptors, and every other client times out.
//
// A connection over either cap is closed as soon as it is accepted, before
// any TLS handshake: it never holds a slot, and Accept keeps draining the
// kernel's queue, so the connections of other addresses behind it are
// served. (Making Accept wait for a free slot instead would leave them
// queued behind the refused ones.) Counting is by the TCP peer, as headers
// are not read yet: a trusted proxy's address is counted in the total only.
type connLimiter struct {
	net.Listener
	total, perIP int
	exempt       []netip.Prefix // trusted proxies
	log          *slog.Logger

	mu       sync.Mutex
	open     int            // connections accepted and not yet closed; guarded by mu
	byAddr   map[string]int // the same per addrKey; no zero entries; guarded by mu
	refused  int            // refused since the last log line; guarded by mu
	reported time.Time      // when that line was written; guarded by mu
}

func newConnLimiter(ln net.Listener, l Limits, log *slog.Logger) *connLimiter {
	l = l.WithDefaults()
	return &connLimiter{Listener: ln, total: l.MaxConns, perIP: l.MaxConnsPerIP, exempt: l.TrustedProxies,
		log: log, byAddr: make(map[string]int)}
}

// Accept returns the next connection within the caps, closing those over
// them.
func (cl *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := cl.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, ok := cl.admit(c.RemoteAddr())
		if ok {
			return &limitedConn{Conn: c, release: func() { cl.release(key) }, gate: directwrite.NewGate(c)}, nil
		}
		_ = c.Close() // nothing to tell: the peer sees the close at once
	}
}

// admit takes a slot for a connection from addr; key is "" for an address
// exempt from the per-address cap.
func (cl *connLimiter) admit(addr net.Addr) (key string, ok bool) {
	if ap, err := netip.ParseAddrPort(addr.String()); err == nil && !isTrusted(ap.Addr().Unmap(), cl.exempt) {
		key = addrKey(ap.Addr())
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.open >= cl.total || (key != "" && cl.byAddr[key] >= cl.perIP) {
		cl.noteRefusalLocked(key, time.Now())
		return "", false
	}
	cl.open++
	if key != "" {
		cl.byAddr[key]++
	}
	return key, true
}

func (cl *connLimiter) release(key string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.open--
	if key == "" {
		return
	}
	if cl.byAddr[key]--; cl.byAddr[key] <= 0 {
		delete(cl.byAddr, key)
	}
}

// noteRefusalLocked counts a refusal and logs the count at most once every
// refusalReportEvery; cl.mu is held.
func (cl *connLimiter) noteRefusalLocked(key string, now time.Time) {
	cl.refused++
	if now.Sub(cl.reported) < refusalReportEvery {
		return
	}
	cl.log.Warn("connections refused: over the connection limits (--max-conns, --max-conns-per-ip)",
		"refused", cl.refused, "open", cl.open, "max", cl.total, "maxPerAddress", cl.perIP, "lastFrom", key)
	cl.refused, cl.reported = 0, now
}

// limitedConn gives its slot back when closed, once however often Close is
// called (TLS, net/http and gorilla may each close it).
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
	gate    *directwrite.Gate // every write goes through it
}

func (c *limitedConn) Write(p []byte) (int, error) { return c.gate.Write(p) }

// Gate is the connection's write gate (directwrite.Gated).
func (c *limitedConn) Gate() *directwrite.Gate { return c.gate }

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite passes net/http's half-close on to the TCP connection.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom lets net/http's copies reach the TCP connection's own ReadFrom
// (sendfile, splice), which the wrapper would otherwise hide.
func (c *limitedConn) ReadFrom(r io.Reader) (int64, error) { return io.Copy(c.Conn, r) }

// NetConn is the connection underneath, as tls.Conn's NetConn, for setting
// TCP options (a *net.TCPConn). Close this one, not that: only this one
// gives the slot back.
func (c *limitedConn) NetConn() net.Conn { return c.Conn }
