package certs

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
	"framecast/backend/httpx"
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

// ensureSelfSigned makes a certificate unless a usable one is there: a
// pair that loads and matches, good for another week. A kept key is made
// private too, as an older version may have left it readable by all.
func ensureSelfSigned(certFile, keyFile string) error {
	if pair, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil && time.Until(pair.Leaf.NotAfter) > 7*24*time.Hour {
		if err := os.Chmod(keyFile, 0o600); err != nil {
			return fmt.Errorf("make TLS key private: %w", err)
		}
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("make TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return fmt.Errorf("make certificate serial: %w", err)
	}
	host, _ := os.Hostname() // "" leaves only localhost and the addresses
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Framecast on " + host, Organization: []string{"Framecast"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
	}
	if host != "" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	for _, a := range httpx.LocalAddresses() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(a))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("make TLS certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode TLS key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return fmt.Errorf("make TLS directory: %w", err)
	}
	if err := replaceFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("write TLS key: %w", err)
	}
	if err := replaceFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("write TLS certificate: %w", err)
	}
	return nil
}

// replaceFile puts data in path with mode perm whatever was there: it writes
// a new file beside it and renames it over. os.WriteFile would keep an old
// file's mode, and a new private key would stay as readable as the old file
// was, and for a moment be half written.
func replaceFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file 0600, so a key is never readable by others,
	// not even before the Chmod.
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp) // the error that matters is err
	}
	return err
}
