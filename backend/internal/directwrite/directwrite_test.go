//go:build unix

package directwrite

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection, the client's with
// a small receive buffer so that the server's socket fills soon.
func tcpPair(t *testing.T) (server *net.TCPConn, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	sc := s.(*net.TCPConn)
	if err := sc.SetWriteBuffer(16 << 10); err != nil {
		t.Fatal(err)
	}
	return sc, c
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func TestWhatAFullSocketDidNotTakeIsWrittenBeforeAnythingElse(t *testing.T) {
	// Both far more than the sockets' buffers hold: the first is sent by
	// splice from a pipe, the second, over maxSplice, by a plain write.
	for _, size := range []int{512 << 10, 4 << 20} {
		t.Run(fmt.Sprintf("%d KiB", size>>10), func(t *testing.T) { fullSocket(t, size) })
	}
}

func fullSocket(t *testing.T, size int) {
	srv, cli := tcpPair(t)
	g := NewGate(srv)
	sp := &Splicer{}
	t.Cleanup(sp.Close)
	frame := pattern(size, 1)
	sent, rest := g.TryWrite(frame, sp)
	if !sent || !rest {
		t.Fatalf("TryWrite of %d bytes to a socket nobody reads: sent %v, rest %v; want the socket to take a part", size, sent, rest)
	}
	if sent, _ := g.TryWrite(pattern(100, 2), sp); sent {
		t.Fatal("a second frame was started while the first one's rest waits")
	}
	// A pong, as gorilla's read side writes it through limitedConn, while
	// the frame's rest waits: it must come after the whole frame.
	pong := []byte("\x8a\x04pong")
	wrote := make(chan error, 1)
	go func() {
		_, err := g.Write(pong)
		wrote <- err
	}()
	got, err := io.ReadAll(io.LimitReader(cli, int64(len(frame)+len(pong))))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:len(frame)], frame) || !bytes.Equal(got[len(frame):], pong) {
		t.Fatal("the connection did not carry the whole frame, then the pong")
	}
	if sent, rest := g.TryWrite(pattern(100, 3), sp); !sent || rest {
		t.Fatalf("once the rest is written a small frame goes at once: sent %v, rest %v", sent, rest)
	}
}

func TestTryWriteNeverWaits(t *testing.T) {
	srv, _ := tcpPair(t)
	g := NewGate(srv)
	g.mu.Lock() // another writer, waiting on a full socket
	if sent, _ := g.TryWrite([]byte("x"), nil); sent {
		t.Fatal("TryWrite wrote while another write held the gate")
	}
	g.mu.Unlock()

	// Fill the socket to the brim: nobody reads the other end, so once a
	// write makes no progress for a while none ever will.
	for n := 1; n > 0; {
		_ = srv.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
		n, _ = srv.Write(pattern(64<<10, 4))
	}
	_ = srv.SetWriteDeadline(time.Time{})
	sp := &Splicer{}
	t.Cleanup(sp.Close)
	type result struct{ sent, rest bool }
	done := make(chan result)
	go func() {
		sent, rest := g.TryWrite(pattern(64<<10, 5), sp)
		done <- result{sent, rest}
	}()
	select {
	case r := <-done:
		// Under load the kernel may still free a little room (ACKs it had
		// not processed), never 64 KiB: the frame cannot go whole.
		if r.sent && !r.rest {
			t.Fatal("a full socket took a 64 KiB frame whole")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("TryWrite waited for a full socket")
	}
}

func TestTryWriteOnlyOnPlainTCP(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if sent, _ := NewGate(a).TryWrite([]byte("x"), nil); sent {
		t.Fatal("TryWrite wrote to a connection that is not plain TCP")
	}
}
