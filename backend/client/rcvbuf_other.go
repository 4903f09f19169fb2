//go:build !unix

package client

import "syscall"

// receiveBuffer leaves the kernel's receive buffer as it is here: the
// benchmark's slow links run on Linux. Setting it after connect instead would
// be worse than not at all (see dialLink).
func receiveBuffer(int) func(network, address string, c syscall.RawConn) error { return nil }
