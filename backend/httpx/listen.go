package httpx

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
)

// Listen opens addr, with TLS when tc is set, keeping its connections
// within l's MaxConns and MaxConnsPerIP (connLimiter), lowered to what the
// process may open (Limits.FitOpenFiles; log says so); log says when it
// refuses some. Limits that cannot work together are an error.
func Listen(addr string, tc *tls.Config, l Limits, log *slog.Logger) (net.Listener, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	l, lowered := l.FitOpenFiles(openFilesLimit())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if lowered != "" {
		log.Warn("connection limits " + lowered)
	}
	ln = newConnLimiter(ln, l, log)
	if tc != nil {
		// On top: a refused connection costs no handshake. Plain HTTP on
		// this port gets a redirect to https.
		ln = newHTTPSListener(ln, tc)
	}
	return ln, nil
}
