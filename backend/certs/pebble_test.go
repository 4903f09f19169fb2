package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"framecast/internal/testcert"
	"framecast/internal/testproc"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// pebble is Let's Encrypt's test CA, run in this process on loopback as
// cmd/pebble wires it: the ACME directory on HTTPS, and the validation
// authority, which looks names up in a DNS server of its own (every name
// under .test is 127.0.0.1) and dials the ports start gives it, as Let's
// Encrypt dials 80 and 443.
type pebble struct {
	t       *testing.T
	srv     *httptest.Server // the ACME API; listening from newPebble, serving from start
	dns     string           // the DNS server's address
	db      *db.MemoryStore
	ca      *ca.CAImpl
	log     *testproc.Buffer
	apiCert tls.Certificate // the ACME API's HTTPS certificate

	requests atomic.Int64 // ACME requests the CA has had
}

// newPebble listens for the ACME API and starts the DNS server; start
// starts the CA once the ports it is to validate on are known.
func newPebble(t *testing.T) *pebble {
	t.Helper()
	// At full speed and without the 5% of refused nonces that test a
	// client's retries; each test has its own CA, so no authorization is
	// reused from another.
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	p := &pebble{t: t, log: &testproc.Buffer{}, srv: httptest.NewUnstartedServer(nil)}
	// The API's own certificate, made here as cmd/pebble's comes from its
	// test/certs, so Client can trust it before the server starts.
	p.apiCert = testcert.SelfSigned(t, "pebble API")
	p.srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.apiCert}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pebble's log:\n%s", p.log.String())
		}
	})
	p.dns = startDNS(t)
	return p
}

// Directory is the ACME directory URL.
func (p *pebble) Directory() string {
	return "https://" + p.srv.Listener.Addr().String() + wfe.DirectoryPath
}

// Client talks to the ACME API: it trusts the API's own test certificate
// and nothing else.
func (p *pebble) Client() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(p.apiCert.Leaf)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: testTLS(pool, "")}}
}

// start runs the CA, validating HTTP-01 on httpPort and TLS-ALPN-01 on
// tlsPort of whatever address a name resolves to (127.0.0.1).
func (p *pebble) start(httpPort, tlsPort int) {
	logger := log.New(p.log, "pebble ", log.Lmicroseconds)
	p.db = db.NewMemoryStore()
	// ECDSA keys: RSA ones take seconds to make under -race.
	p.ca = ca.New(logger, p.db, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "the default profile"}})
	v := va.New(logger, httpPort, tlsPort, false, p.dns, p.db)
	w := wfe.New(logger, p.db, v, p.ca, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	api := w.Handler()
	p.srv.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		api.ServeHTTP(rw, r)
	})
	// An ACME client must not need HTTP/2, and Pebble's own does not serve it.
	p.srv.EnableHTTP2 = false
	p.srv.StartTLS()
	p.t.Cleanup(p.srv.Close)
}

// Root is the CA's root certificate, the one the issued certificates chain to.
func (p *pebble) Root() *x509.Certificate { return p.ca.GetRootCert(0).Cert }

// ChallengeFor says which challenge type proved the domain for a
// certificate the CA issued, or "" if it did not issue it.
func (p *pebble) ChallengeFor(leaf *x509.Certificate) string {
	issued := p.db.GetCertificateByDER(leaf.Raw)
	if issued == nil {
		return ""
	}
	order, err := p.db.GetOrderByIssuedSerial(issued.ID)
	if err != nil {
		return ""
	}
	order.RLock()
	defer order.RUnlock()
	var types []string
	for _, z := range order.AuthorizationObjects {
		z.RLock()
		for _, c := range z.Challenges {
			c.RLock()
			if c.Status == "valid" {
				types = append(types, c.Type)
			}
			c.RUnlock()
		}
		z.RUnlock()
	}
	return strings.Join(types, ",")
}

// startDNS serves, over TCP as Pebble's VA asks, 127.0.0.1 for every name
// under .test and nothing else.
func startDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA && strings.HasSuffix(question.Name, ".test.") {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		_ = w.WriteMsg(m) // the VA reports a lost answer itself
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ActivateAndServe() // returns when Shutdown closes the listener
	}()
	t.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	return ln.Addr().String()
}
