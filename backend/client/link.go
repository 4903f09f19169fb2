package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// Defaults for a viewer on a slow link (DialOptions.LinkBps > 0).
const (
	// DefaultLinkBurst is how many bytes a slow link lets through at once
	// after a quiet spell: about one 1280×720 frame's first tenth.
	DefaultLinkBurst = 16 << 10
	// DefaultLinkReadBuffer is the kernel receive buffer asked for (Linux
	// doubles it for its bookkeeping). Kept small, it fills at once, so
	// what the viewer cannot take yet waits in the server's send queue,
	// where a real slow link keeps it, not in this machine's kernel.
	DefaultLinkReadBuffer = 16 << 10
)

// DialOptions says how to dial a viewer. The zero value dials as Dial does.
type DialOptions struct {
	Header http.Header // sent with the upgrade request
	// LinkBps, when above 0, puts the viewer on a link that carries only
	// this many bits a second towards it: the client reads its socket
	// through a token bucket. What it sends (acks) is not slowed.
	LinkBps int
	// LinkBurst is the token bucket's size in bytes; 0: DefaultLinkBurst.
	LinkBurst int
	// ReadBuffer is the TCP receive buffer to ask the kernel for, in
	// bytes, before connecting (on Unix; elsewhere it is not set); 0:
	// DefaultLinkReadBuffer on a slow link and the kernel's default
	// otherwise; below 0: the kernel's default.
	ReadBuffer int
}

// DialWith connects to a /ws URL as opts says. A rendition or any other
// choice the server reads from the query goes in the URL
// (ws://host/ws?token=T&rendition=360p).
func DialWith(ctx context.Context, url string, opts DialOptions) (*Viewer, error) {
	if opts.LinkBps < 0 || opts.LinkBurst < 0 {
		return nil, fmt.Errorf("dial %s: link of %d bit/s with a burst of %d bytes: want 0 or more", url, opts.LinkBps, opts.LinkBurst)
	}
	var link *linkConn // the one connection this dialer makes
	d := *websocket.DefaultDialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		l, err := dialLink(ctx, network, addr, opts)
		if err != nil {
			return nil, err // not a nil *linkConn in a non-nil net.Conn
		}
		link = l
		return l, nil
	}
	conn, resp, err := d.DialContext(ctx, url, opts.Header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (HTTP %d)", url, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return &Viewer{conn: conn, link: link}, nil
}

// dialLink opens the TCP connection under a viewer.
func dialLink(ctx context.Context, network, addr string, opts DialOptions) (*linkConn, error) {
	size := opts.ReadBuffer
	if size == 0 && opts.LinkBps > 0 {
		size = DefaultLinkReadBuffer
	}
	var d net.Dialer
	if size > 0 {
		// Before connect, or the window already offered to the server
		// outgrows the buffer and the kernel drops what it then sends.
		d.Control = receiveBuffer(size)
	}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return newLinkConn(c, opts), nil
}

// linkConn is the viewer's TCP connection, counting the bytes it reads and,
// on a slow link, pacing them. Only the viewer's reader calls Read (gorilla
// allows one); read is atomic so that BytesRead may run beside it.
type linkConn struct {
	net.Conn
	bucket    *tokenBucket // nil: not paced
	read      atomic.Int64
	closed    chan struct{} // closed by Close, to end a paced wait
	closeOnce sync.Once
}

func newLinkConn(c net.Conn, opts DialOptions) *linkConn {
	l := &linkConn{Conn: c, closed: make(chan struct{})}
	if opts.LinkBps > 0 {
		burst := opts.LinkBurst
		if burst == 0 {
			burst = DefaultLinkBurst
		}
		l.bucket = newTokenBucket(opts.LinkBps, burst)
	}
	return l
}

// Read reads what the link would have delivered by now, waiting for it if
// need be.
func (l *linkConn) Read(p []byte) (int, error) {
	if l.bucket == nil || len(p) == 0 {
		n, err := l.Conn.Read(p)
		l.read.Add(int64(n))
		return n, err
	}
	allowed, err := l.bucket.wait(len(p), l.closed)
	if err != nil {
		return 0, err
	}
	n, err := l.Conn.Read(p[:allowed])
	l.bucket.spend(n)
	l.read.Add(int64(n))
	return n, err
}

// Close closes the connection and ends a paced wait.
func (l *linkConn) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Conn.Close()
}

// SetLink changes the viewer's link to bps bits a second (0: as fast as the
// network goes), as when a phone leaves a weak signal. Call it from the
// goroutine that reads, between reads.
func (v *Viewer) SetLink(bps int) {
	if v.link == nil {
		return
	}
	if bps <= 0 {
		v.link.bucket = nil
		return
	}
	v.link.bucket = newTokenBucket(bps, DefaultLinkBurst)
}
