package client

import (
	"context"
	"net"
	"syscall"
	"testing"
)

func TestASlowLinkAsksForASmallReceiveBuffer(t *testing.T) {
	addr := sendAll(t, 0)
	l, err := dialLink(context.Background(), "tcp", addr, DialOptions{LinkBps: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	raw, err := l.Conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var size int
	var serr error
	if err := raw.Control(func(fd uintptr) {
		size, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	}); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	// Linux doubles what it is asked for, for its own bookkeeping.
	if size != 2*DefaultLinkReadBuffer {
		t.Fatalf("receive buffer %d bytes, want %d", size, 2*DefaultLinkReadBuffer)
	}
}
