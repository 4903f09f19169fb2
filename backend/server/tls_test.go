package server

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"framecast/backend/certs"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestAutoTLSServesHTTPSAndWSSWithACertificateKeptForNextTime(t *testing.T) {
	dir := t.TempDir()
	auto := certs.TLS{Auto: true, Dir: dir}
	tc, err := auto.Config()
	if err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auto.Config(); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "cert.pem")); !bytes.Equal(first, again) {
		t.Fatal("a second start made a new certificate instead of reusing it")
	}
	if info, _ := os.Stat(filepath.Join(dir, "key.pem")); info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}

	h := hub.New()
	eng, err := engine.New(smallSettings(), engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	srv, err := New(Config{Addr: "127.0.0.1:0", Token: token, TLS: tc}, Deps{Hub: h, Stream: eng})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if u := srv.ViewerURLs(); len(u) != 1 || !strings.HasPrefix(u[0], "https://127.0.0.1:") {
		t.Fatalf("viewer URLs %v, want https", u)
	}
	// Trust exactly this certificate: the check includes its 127.0.0.1 SAN.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(first)
	clientTLS := &tls.Config{RootCAs: pool}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS}, Timeout: 5 * time.Second}
	resp, err := hc.Get("https://" + srv.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("https status %d", resp.StatusCode)
	}
	if plain, err := http.Get("http://" + srv.Addr().String() + "/healthz"); err == nil {
		plain.Body.Close()
		if plain.StatusCode == 200 {
			t.Fatal("plain HTTP was served on the TLS port")
		}
	}
	d := websocket.Dialer{TLSClientConfig: clientTLS, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.Dial("wss://"+srv.Addr().String()+"/ws?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for {
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if kind == websocket.BinaryMessage {
			if _, jpeg, err := protocol.DecodeFrame(msg); err != nil || len(jpeg) == 0 {
				t.Fatalf("frame over wss: %v", err)
			}
			break
		}
	}
}

func TestLoopbackServesTheSameStreamInPlainHTTPBesideTLS(t *testing.T) {
	tc, err := certs.TLS{Auto: true, Dir: t.TempDir()}.Config()
	if err != nil {
		t.Fatal(err)
	}
	h := hub.New()
	eng, err := engine.New(smallSettings(), engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	srv, err := New(Config{Addr: "127.0.0.1:0", Token: token, TLS: tc, Loopback: true}, Deps{Hub: h, Stream: eng})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	loop := srv.LoopbackAddr().String()
	if !strings.HasPrefix(loop, "127.0.0.1:") || loop == srv.Addr().String() {
		t.Fatalf("loopback address %q", loop)
	}
	resp, err := http.Get("http://" + loop + "/api/state?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("loopback status %d", resp.StatusCode)
	}
	if resp, err := http.Get("http://" + loop + "/api/state?token=wrong"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("the loopback port must check the token too: %v", err)
	}
}
