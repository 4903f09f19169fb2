package certs

import (
	"crypto/tls"
	"errors"
	"fmt"
	"framecast/backend/httpx"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// ACMEConfig says how --tls acme gets certificates: from an ACME CA (Let's
// Encrypt unless Directory says otherwise), for Domains only, kept in
// CacheDir and renewed by autocert a month before they expire.
type ACMEConfig struct {
	// Domains are the only names a certificate is asked for. Any other name
	// a client sends is refused before the CA hears of it, so strangers
	// cannot spend the CA's rate limits on names that point here.
	Domains []string
	// Email is where the CA may write about expiring certificates; "" none.
	Email string
	// Directory is the CA's ACME directory URL; "" is Let's Encrypt's.
	Directory string
	// CacheDir keeps the account key and the certificates (0700, files
	// 0600), in a subdirectory per CA: a staging certificate is never
	// served once Directory points at production.
	CacheDir string
	// HTTPAddr, when set, is where HTTP-01 challenges are answered (the CA
	// asks on port 80) and every other request is redirected to HTTPS.
	// Empty: only TLS-ALPN-01, answered on the HTTPS port itself, which
	// the CA reaches on port 443.
	HTTPAddr string
	// HTTPSPort is the port the redirect sends browsers to; "" or "443"
	// leave it out of the URL.
	HTTPSPort string
	// HTTPClient talks to the CA; nil is http.DefaultClient. Tests give one
	// that trusts their own CA.
	HTTPClient *http.Client
}

// Validate checks the config in words a person can act on, and makes the
// domain names canonical (lower case, ASCII).
func (c *ACMEConfig) Validate() error {
	if len(c.Domains) == 0 {
		return errors.New("--tls acme needs --domain: the public name this server is reached by")
	}
	c.Domains = slices.Clone(c.Domains) // the caller's slice stays as given
	for i, d := range c.Domains {
		ascii, err := acmeDomain(d)
		if err != nil {
			return err
		}
		c.Domains[i] = ascii
	}
	if c.Directory != "" {
		u, err := url.Parse(c.Directory)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("--acme-directory %q: must be an https:// URL", c.Directory)
		}
	}
	if c.CacheDir == "" {
		return errors.New("ACME: no directory to keep certificates in")
	}
	return nil
}

// ACME serves certificates from an ACME CA to the HTTPS port, and the
// HTTP-01 challenges and redirects on HTTPAddr. Close stops the latter.
type ACME struct {
	cfg     ACMEConfig
	manager *autocert.Manager
	hosts   map[string]bool // Domains; read only after NewACME
	log     *slog.Logger

	ln   net.Listener  // HTTPAddr's, or nil
	http *http.Server  // serves ln, or nil
	done chan struct{} // closed when http.Serve has returned (at once without ln)

	mu       sync.Mutex
	lastWarn time.Time // when a failure to get a certificate was last logged; guarded by mu
	serial   string    // serial of the certificate last served; guarded by mu
}

// warnEvery is how often a failure to get a certificate is logged at warn
// level: autocert retries on every handshake, and each would log the same.
const warnEvery = time.Minute

// NewACME checks cfg, makes the cache directory and, with HTTPAddr, starts
// answering HTTP-01 challenges there. Certificates are asked for on the
// first handshake that names a domain, not here.
func NewACME(cfg ACMEConfig, log *slog.Logger) (*ACME, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	cache, err := acmeCacheDir(cfg.CacheDir, cfg.Directory)
	if err != nil {
		return nil, err
	}
	a := &ACME{cfg: cfg, hosts: map[string]bool{}, log: log.With("component", "acme"), done: make(chan struct{})}
	for _, d := range cfg.Domains {
		a.hosts[d] = true
	}
	directory := cfg.Directory
	if directory == "" {
		directory = autocert.DefaultACMEDirectory
	}
	a.manager = &autocert.Manager{
		// --tls acme is the person's agreement to the CA's terms, as
		// certbot's --agree-tos is; docs/deploy-relay.md says so.
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(cache),
		HostPolicy: a.hostPolicy,
		Email:      cfg.Email,
		Client:     &acme.Client{DirectoryURL: directory, HTTPClient: cfg.HTTPClient},
	}
	if cfg.HTTPAddr == "" {
		close(a.done)
		return a, nil
	}
	if a.ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("--acme-http %s (HTTP-01 challenges; \"off\" leaves them to TLS-ALPN-01 on port 443): %w", cfg.HTTPAddr, err)
	}
	a.http = httpx.NewHTTPServer(a.manager.HTTPHandler(a.redirectToHTTPS()), a.log, nil)
	go func() {
		defer close(a.done)
		if err := a.http.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("serve HTTP-01", "err", err)
		}
	}()
	return a, nil
}

// TLSConfig is the HTTPS port's config: certificates from the CA, and the
// TLS-ALPN-01 challenge answered on the same port.
func (a *ACME) TLSConfig() *tls.Config {
	return &tls.Config{
		GetCertificate: a.getCertificate,
		// No "h2", unlike autocert's own TLSConfig: WebSocket upgrades need
		// HTTP/1.1, and --tls auto offers no h2 either.
		NextProtos: []string{"http/1.1", acme.ALPNProto},
		MinVersion: tls.VersionTLS12,
	}
}

// HTTPAddr is where HTTP-01 challenges are answered, or nil without
// ACMEConfig.HTTPAddr.
func (a *ACME) HTTPAddr() net.Addr {
	if a.ln == nil {
		return nil
	}
	return a.ln.Addr()
}

// Close stops the HTTP-01 port. The HTTPS port's config keeps working with
// what is cached, but nothing answers HTTP-01 any more.
func (a *ACME) Close() {
	if a.http != nil {
		if err := a.http.Close(); err != nil {
			a.log.Debug("close HTTP-01 port", "err", err)
		}
	}
	<-a.done
}

// getCertificate refuses names outside Domains before autocert sees them,
// and logs what autocert would only tell the client: the CA's refusals,
// and each new certificate.
func (a *ACME) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if err := a.hostPolicy(hello.Context(), hello.ServerName); err != nil {
		return nil, err
	}
	cert, err := a.manager.GetCertificate(hello)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		if time.Since(a.lastWarn) >= warnEvery {
			a.lastWarn = time.Now()
			a.log.Warn("no certificate from the CA; retrying on the next connection", "domain", hello.ServerName, "err", err)
		}
		return nil, err
	}
	challenge := len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acme.ALPNProto
	if leaf := cert.Leaf; leaf != nil && !challenge && leaf.SerialNumber.String() != a.serial {
		a.serial = leaf.SerialNumber.String()
		a.log.Info("serving a certificate from the CA", "domains", leaf.DNSNames, "issuer", leaf.Issuer.CommonName, "expires", leaf.NotAfter)
	}
	return cert, nil
}

// acmeCacheDir makes base/<CA host> with mode 0700, and tightens base and
// it if they were made wider before.
func acmeCacheDir(base, directory string) (string, error) {
	host := "acme-v02.api.letsencrypt.org"
	if directory != "" {
		u, err := url.Parse(directory)
		if err != nil {
			return "", fmt.Errorf("--acme-directory %q: %w", directory, err)
		}
		host = strings.NewReplacer(":", "_", "[", "", "]", "").Replace(u.Host)
	}
	dir := filepath.Join(base, host)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("make ACME certificate directory: %w", err)
	}
	for _, d := range []string{base, dir} {
		if err := os.Chmod(d, 0o700); err != nil {
			return "", fmt.Errorf("make ACME certificate directory private: %w", err)
		}
	}
	return dir, nil
}

// redirectToHTTPS sends GET and HEAD to the same path on HTTPS, on
// HTTPSPort, and refuses the rest: a form posted over plain HTTP has already
// gone out in the clear. A Host outside Domains (an address, a stranger's
// name) is sent to the first domain, never to a host the client made up.
func (a *ACME) redirectToHTTPS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "400 bad request: use HTTPS", http.StatusBadRequest)
			return
		}
		host := a.cfg.Domains[0]
		if h := canonicalHost(r.Host); a.hosts[h] {
			host = h
		}
		if p := a.cfg.HTTPSPort; p != "" && p != "443" {
			host = net.JoinHostPort(host, p)
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusFound)
	})
}
