package certs_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/certs"
	"framecast/backend/protocol"
	"framecast/backend/relay"
	"framecast/internal/testproc"

	"github.com/gorilla/websocket"
)

const (
	acmeDomain   = "relay.framecast.test"
	publishToken = "publish-token-0123456789"
	viewToken    = "view-token-abcdefghijkl"
)

// acmeRelay is a relay whose HTTPS certificate comes from a CA through
// certs.ACME, as `framecast relay --tls acme` runs.
type acmeRelay struct {
	acme  *certs.ACME
	relay *relay.Relay
	once  sync.Once
}

// stop closes the relay and ACME once, as a restart would.
func (r *acmeRelay) stop() {
	r.once.Do(func() {
		r.relay.Close()
		r.acme.Close()
	})
}

func (r *acmeRelay) port() int     { return r.relay.Addr().(*net.TCPAddr).Port }
func (r *acmeRelay) httpPort() int { return r.acme.HTTPAddr().(*net.TCPAddr).Port }

// startACMERelay starts ACME as cfg says, for acmeDomain, with the CA of
// p, and a relay on a loopback port that takes its certificates from it.
func startACMERelay(t *testing.T, p *pebble, cfg certs.ACMEConfig) *acmeRelay {
	t.Helper()
	log := testLogger(t)
	cfg.Domains = []string{acmeDomain}
	cfg.Directory, cfg.HTTPClient = p.Directory(), p.Client()
	a, err := certs.NewACME(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publishToken, TLS: a.TLSConfig()},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Log: log})
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	r := &acmeRelay{acme: a, relay: rl}
	t.Cleanup(r.stop)
	return r
}

func TestACMEGetsACertificateFromTheCAThatItsRootAloneVerifies(t *testing.T) {
	cases := []struct {
		name     string
		httpAddr string // --acme-http
		// caPorts are the ports the CA validates on, standing for 80
		// and 443.
		caPorts func(*acmeRelay) (http, tls int)
		want    string // the challenge that proved the name
	}{
		{
			name:    "TLS-ALPN-01 answered on the HTTPS port itself proves the name",
			caPorts: func(r *acmeRelay) (int, int) { return r.port(), r.port() },
			want:    "tls-alpn-01",
		},
		{
			// --addr :8188 and port 80 forwarded: the CA's TLS-ALPN-01
			// finds plain HTTP there and fails, and autocert falls back.
			name:     "HTTP-01 answered on the --acme-http port proves the name when port 443 is not the relay",
			httpAddr: "127.0.0.1:0",
			caPorts:  func(r *acmeRelay) (int, int) { return r.httpPort(), r.httpPort() },
			want:     "http-01",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			p := newPebble(t)
			cache := t.TempDir()
			r := startACMERelay(t, p, certs.ACMEConfig{CacheDir: cache, HTTPAddr: c.httpAddr})
			p.start(c.caPorts(r))
			roots := x509.NewCertPool()
			roots.AddCert(p.Root())

			// The first handshake asks the CA; it waits for the certificate.
			base := "https://" + net.JoinHostPort(acmeDomain, strconv.Itoa(r.port()))
			resp, err := httpsClient(roots).Get(base + "/healthz")
			if err != nil {
				t.Fatalf("GET /healthz over HTTPS: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
				t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
			}
			leaf := resp.TLS.PeerCertificates[0]
			if !slices.Equal(leaf.DNSNames, []string{acmeDomain}) {
				t.Fatalf("certificate for %v, want only %s", leaf.DNSNames, acmeDomain)
			}
			if chain := resp.TLS.VerifiedChains[0]; !chain[len(chain)-1].Equal(p.Root()) {
				t.Fatal("the certificate was verified by another root than the CA's")
			}
			if got := p.ChallengeFor(leaf); got != c.want {
				t.Fatalf("the CA issued it after %q, want %q", got, c.want)
			}

			produceAndWatchOverWSS(t, "wss://"+net.JoinHostPort(acmeDomain, strconv.Itoa(r.port())), roots)
			checkPrivate(t, cache)
			t.Logf("certificate, page and streams in %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

func TestACMEServesItsCachedCertificateAfterARestartWithoutAskingTheCA(t *testing.T) {
	p := newPebble(t)
	cache := t.TempDir()
	first := startACMERelay(t, p, certs.ACMEConfig{CacheDir: cache})
	p.start(first.port(), first.port())
	roots := x509.NewCertPool()
	roots.AddCert(p.Root())
	serial := func(r *acmeRelay) string {
		t.Helper()
		resp, err := httpsClient(roots).Get("https://" + net.JoinHostPort(acmeDomain, strconv.Itoa(r.port())) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.String()
	}
	issued := serial(first)
	first.stop()

	asked := p.requests.Load()
	again := startACMERelay(t, p, certs.ACMEConfig{CacheDir: cache})
	if got := serial(again); got != issued {
		t.Fatalf("after a restart the relay serves certificate %s, want the cached %s", got, issued)
	}
	if n := p.requests.Load() - asked; n != 0 {
		t.Fatalf("the restarted relay made %d requests to the CA, want none", n)
	}
}

func TestACMEAsksTheCAForItsDomainsOnly(t *testing.T) {
	p := newPebble(t)
	r := startACMERelay(t, p, certs.ACMEConfig{CacheDir: t.TempDir(), HTTPAddr: "127.0.0.1:0"})
	p.start(r.httpPort(), r.port())
	roots := x509.NewCertPool()
	roots.AddCert(p.Root())
	port := strconv.Itoa(r.port())

	handshakes := []struct {
		name, serverName string
	}{
		{"a handshake for another name under the same parent gets no certificate", "other.framecast.test"},
		{"a handshake for the domain's parent gets no certificate", "framecast.test"},
		{"a handshake by address, without a name, gets no certificate", ""},
	}
	for _, c := range handshakes {
		t.Run(c.name, func(t *testing.T) {
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", "127.0.0.1:"+port, testTLS(roots, c.serverName))
			if err == nil {
				conn.Close()
				t.Fatalf("a certificate was served for %q", c.serverName)
			}
		})
	}
	t.Run("an HTTP-01 request for another name is refused", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, "http://"+r.acme.HTTPAddr().String()+"/.well-known/acme-challenge/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "other.framecast.test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	if n := p.requests.Load(); n != 0 {
		t.Fatalf("the CA had %d requests for names that are not the domain, want none", n)
	}
}

// produceAndWatchOverWSS connects a producer and a viewer to base over
// wss, trusting roots only, and checks a frame goes from one to the other.
func produceAndWatchOverWSS(t *testing.T, base string, roots *x509.CertPool) {
	t.Helper()
	d := websocket.Dialer{NetDialContext: toLoopback, TLSClientConfig: testTLS(roots, ""), HandshakeTimeout: 10 * time.Second}
	prod, _, err := d.Dial(base+"/ingest/cam?token="+publishToken+"&view="+viewToken, nil)
	if err != nil {
		t.Fatalf("producer over wss: %v", err)
	}
	defer prod.Close()
	// viewers reads the producer's messages up to the next viewer count.
	viewers := func() int {
		for {
			_ = prod.SetReadDeadline(time.Now().Add(15 * time.Second))
			_, msg, err := prod.ReadMessage()
			if err != nil {
				t.Fatalf("the producer heard no viewer count: %v", err)
			}
			var m struct {
				Type  string
				Count int
			}
			if json.Unmarshal(msg, &m) == nil && m.Type == "viewers" {
				return m.Count
			}
		}
	}
	// The relay makes the producer the stream's just after its handshake,
	// and then tells it its first count: until then a viewer would find
	// no stream.
	viewers()
	view, _, err := d.Dial(base+"/s/cam/ws?token="+viewToken, nil)
	if err != nil {
		t.Fatalf("viewer over wss: %v", err)
	}
	defer view.Close()
	// Once the producer hears of the viewer, a frame sent reaches it.
	for n := 0; n != 1; {
		n = viewers()
	}
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	frame, err := protocol.EncodeFrame(protocol.Header{Seq: 1, TS: time.Now().UnixMicro(), W: 16, H: 16}, pic.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := prod.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		t.Fatal(err)
	}
	for {
		_ = view.SetReadDeadline(time.Now().Add(10 * time.Second))
		kind, msg, err := view.ReadMessage()
		if err != nil {
			t.Fatalf("the viewer got no frame over wss: %v", err)
		}
		if kind != websocket.BinaryMessage {
			continue
		}
		if h, jpg, err := protocol.DecodeFrame(msg); err != nil || h.Seq != 1 || !bytes.Equal(jpg, pic.Bytes()) {
			t.Fatalf("frame over wss: seq %d, %d bytes, %v", h.Seq, len(jpg), err)
		}
		return
	}
}

// checkPrivate checks every file under dir is 0600 and every directory 0700.
func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if info.Mode().Perm() != want {
			return errors.New(path + ": mode " + info.Mode().Perm().String() + ", want " + want.String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("%d files cached, want the account key and the certificate", files)
	}
}

// httpsClient trusts roots only and finds every host at 127.0.0.1.
func httpsClient(roots *x509.CertPool) *http.Client {
	return &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{DialContext: toLoopback, TLSClientConfig: testTLS(roots, "")}}
}

// testTLS is a client config that trusts roots only.
func testTLS(roots *x509.CertPool, serverName string) *tls.Config {
	return &tls.Config{RootCAs: roots, ServerName: serverName, MinVersion: tls.VersionTLS12}
}

// toLoopback dials every host at 127.0.0.1, keeping the port: the client's
// DNS for acmeDomain.
func toLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
}

// testLogger logs into a buffer shown if the test fails: servers may log
// after it has ended, when t.Log would panic.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	var buf testproc.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
