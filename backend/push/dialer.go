package push

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/gorilla/websocket"
)

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
