package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS says how to serve HTTPS: from a certificate and key the person has, or
// Auto: a self-signed certificate made once in Dir and reused after that.
type TLS struct {
	CertFile, KeyFile string
	Auto              bool
	Dir               string // where Auto keeps cert.pem and key.pem
}

// Enabled reports whether TLS was asked for.
func (t TLS) Enabled() bool { return t.Auto || t.CertFile != "" || t.KeyFile != "" }

// Config loads or makes the certificate.
func (t TLS) Config() (*tls.Config, error) {
	cert, key := t.CertFile, t.KeyFile
	if t.Auto {
		if t.CertFile != "" || t.KeyFile != "" {
			return nil, errors.New("--tls auto and --tls-cert/--tls-key: choose one")
		}
		cert, key = filepath.Join(t.Dir, "cert.pem"), filepath.Join(t.Dir, "key.pem")
		if err := ensureSelfSigned(cert, key); err != nil {
			return nil, err
		}
	} else if cert == "" || key == "" {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate %s: %w", cert, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// ensureSelfSigned makes a certificate unless a usable one is there.
func ensureSelfSigned(certFile, keyFile string) error {
	if b, err := os.ReadFile(certFile); err == nil {
		if blk, _ := pem.Decode(b); blk != nil {
			if c, err := x509.ParseCertificate(blk.Bytes); err == nil && time.Until(c.NotAfter) > 7*24*time.Hour {
				if _, err := os.Stat(keyFile); err == nil {
					return nil
				}
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Framecast on " + host, Organization: []string{"Framecast"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", host},
	}
	for _, a := range localAddresses() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(a))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return fmt.Errorf("make TLS directory: %w", err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
