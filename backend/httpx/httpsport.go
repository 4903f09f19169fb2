package httpx

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// sniffWait bounds how long a new connection on the HTTPS port may take to
// say whether it speaks TLS, and a plain-HTTP one to send its request.
const sniffWait = 10 * time.Second

// maxPlainRequest bounds the plain-HTTP request read to redirect it.
const maxPlainRequest = 8 << 10

// httpsListener serves TLS on its port and answers a plain-HTTP request
// there with a redirect to the same address over https, instead of Go's
// "400 Client sent an HTTP request to an HTTPS server" that a page written
// for plain HTTP would retry forever. Each new connection's first byte is
// read on a goroutine of its own, so a silent client holds up nobody.
type httpsListener struct {
	net.Listener
	cfg   *tls.Config
	conns chan net.Conn
	errs  chan error
	done  chan struct{}
	once  sync.Once
}

func newHTTPSListener(inner net.Listener, cfg *tls.Config) *httpsListener {
	l := &httpsListener{Listener: inner, cfg: cfg, conns: make(chan net.Conn), errs: make(chan error), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

func (l *httpsListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case l.errs <- err: // net/http retries a temporary error
			case <-l.done:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		go l.sniff(c)
	}
}

// sniff reads the connection's first byte: a TLS handshake record goes on
// to the server, anything else is answered as plain HTTP.
func (l *httpsListener) sniff(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(sniffWait))
	br := bufio.NewReaderSize(c, 16)
	first, err := br.Peek(1)
	if err != nil {
		_ = c.Close()
		return
	}
	if first[0] != 0x16 { // not a TLS handshake record
		redirectToHTTPS(c, br)
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	select {
	case l.conns <- tls.Server(&peekedConn{Conn: c, r: br}, l.cfg):
	case <-l.done:
		_ = c.Close()
	}
}

func (l *httpsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *httpsListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// peekedConn reads what was peeked before the rest of the connection.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// NetConn is the connection underneath, for TCP options and the
// connection limiter's Close.
func (c *peekedConn) NetConn() net.Conn { return c.Conn }

// redirectToHTTPS answers one plain-HTTP request with a temporary redirect
// to the same host and path over https, and closes the connection.
// Temporary: the operator may turn HTTPS off again, and a browser keeps a
// permanent redirect.
func redirectToHTTPS(c net.Conn, br *bufio.Reader) {
	defer c.Close()
	req, err := http.ReadRequest(bufio.NewReader(io.LimitReader(br, maxPlainRequest)))
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nthis port serves HTTPS\n")
		return
	}
	host := req.Host
	if host == "" || !validHost(host) {
		host = c.LocalAddr().String()
	}
	target := "https://" + host + req.URL.RequestURI()
	body := "this port serves HTTPS: " + target + "\n"
	_ = c.SetWriteDeadline(time.Now().Add(sniffWait))
	_, _ = fmt.Fprintf(c, "HTTP/1.1 307 Temporary Redirect\r\nLocation: %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		target, len(body), body)
}

// validHost reports whether h is a host[:port] fit for a Location header.
func validHost(h string) bool {
	if len(h) > 255 {
		return false
	}
	for _, r := range h {
		ok := r == '.' || r == '-' || r == ':' || r == '[' || r == ']' || r == '_' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
