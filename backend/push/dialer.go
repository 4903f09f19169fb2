package push

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/gorilla/websocket"
)

// dialTimeout bounds one attempt to reach a relay, TLS and the WebSocket
// handshake included.
const dialTimeout = 10 * time.Second

// newDialer is the relay connection's dialer. With caFile, the relay's
// certificate must chain to a CA in it and to nothing else: a producer told
// to trust a private CA has no reason to also take certificates from the
// system's. Verification is never skipped.
func newDialer(caFile string) (*websocket.Dialer, error) {
	d := *websocket.DefaultDialer
	d.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return &d, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", caFile)
	}
	d.TLSClientConfig.RootCAs = roots
	return &d, nil
}

// dial opens the WebSocket to the relay at ingest, with the publish and
// view tokens in its query. A failure says why, as a refusal when retrying
// will not change it.
func (p *Pusher) dial(ctx context.Context, ingest string) (*websocket.Conn, error) {
	u, err := url.Parse(ingest)
	if err != nil {
		return nil, fmt.Errorf("relay URL: %w", err) // Validate checked it
	}
	q := u.Query()
	q.Set("token", p.cfg.PublishToken)
	q.Set("view", p.cfg.ViewToken)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, resp, err := p.dialer.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, dialError(err, resp)
	}
	return conn, nil
}
