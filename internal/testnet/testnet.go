// Package testnet helps tests play several clients on loopback: Linux
// answers on all of 127.0.0.0/8, so 127.0.0.2, 127.0.0.3, … are each a
// client address of its own.
package testnet

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// From is a dialer whose connections come from the loopback address ip.
func From(ip string) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
}

// ClientFrom is an HTTP client whose requests come from ip.
func ClientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	tr := &http.Transport{DialContext: From(ip).DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// ClosedByPeer reports whether c's peer closes it within d, reading and
// discarding whatever comes first.
func ClosedByPeer(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

// WaitUntil polls ok until it holds, failing the test after 30 s with what
// it waited for.
func WaitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	WaitFor(t, 30*time.Second, what, ok)
}

// WaitFor polls ok until it holds, failing the test after d with what it
// waited for.
func WaitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
