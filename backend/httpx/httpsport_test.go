package httpx

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"framecast/internal/testcert"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// httpsPort serves "ok" over TLS on a port of Listen's, and returns its
// address and a client that trusts its certificate.
func httpsPort(t *testing.T) (string, *http.Client) {
	t.Helper()
	ca := testcert.NewCA(t, "Framecast test CA")
	tc := &tls.Config{Certificates: []tls.Certificate{ca.Loopback(t)}}
	ln, err := Listen("127.0.0.1:0", tc, Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Error(w, "not over TLS", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	return ln.Addr().String(), hc
}

func TestPlainHTTPOnTheHTTPSPortIsRedirectedToHTTPS(t *testing.T) {
	addr, hc := httpsPort(t)
	noFollow := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + addr + "/s/line/?token=abc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://" + addr + "/s/line/?token=abc"; resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != want {
		t.Fatalf("plain HTTP got %d to %q, want 307 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	// Following it with a client that trusts the certificate ends on the
	// page, over TLS.
	resp, err = hc.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" || resp.TLS == nil {
		t.Fatalf("after the redirect: %q, TLS %v", body, resp.TLS != nil)
	}
}

func TestASilentOrHugeRequestOnTheHTTPSPortHoldsUpNobody(t *testing.T) {
	addr, hc := httpsPort(t)
	// A connection that says nothing, and one that sends a request line
	// without end.
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	huge, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer huge.Close()
	if _, err := io.WriteString(huge, "GET /"+strings.Repeat("a", 2*maxPlainRequest)); err != nil {
		t.Fatal(err)
	}
	status, err := bufio.NewReader(huge).ReadString('\n')
	if err != nil || !strings.Contains(status, "400") {
		t.Fatalf("an endless request line got %q, %v; want 400", status, err)
	}
	resp, err := hc.Get("https://" + addr + "/")
	if err != nil {
		t.Fatalf("a TLS client waited behind a silent connection: %v", err)
	}
	resp.Body.Close()
}
