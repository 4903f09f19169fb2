package server

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

func TestAutoTLSServesHTTPSAndWSSWithACertificateKeptForNextTime(t *testing.T) {
	dir := t.TempDir()
	auto := TLS{Auto: true, Dir: dir}
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

func TestTLSFlagsThatCannotWorkAreRefused(t *testing.T) {
	cases := []struct {
		name string
		tls  TLS
		want string
	}{
		{"a certificate without a key", TLS{CertFile: "c.pem"}, "go together"},
		{"auto and files at once", TLS{Auto: true, CertFile: "c.pem", KeyFile: "k.pem"}, "choose one"},
		{"files that do not exist", TLS{CertFile: "/nonexistent/c.pem", KeyFile: "/nonexistent/k.pem"}, "/nonexistent/c.pem"},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			if _, err := c.tls.Config(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestLoopbackServesTheSameStreamInPlainHTTPBesideTLS(t *testing.T) {
	tc, err := TLS{Auto: true, Dir: t.TempDir()}.Config()
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

func TestAutoTLSWritesItsPrivateKeyForTheOwnerOnly(t *testing.T) {
	cases := []struct {
		name string
		// before leaves files in the directory as an older version or a
		// crash might have; it returns the key that must survive, if any.
		before  func(t *testing.T, dir string) []byte
		keepKey bool
	}{
		{
			name: "a key file readable by all with no usable key in it gets a new key, private",
			before: func(t *testing.T, dir string) []byte {
				writeMode(t, filepath.Join(dir, "key.pem"), []byte("not a key"), 0o644)
				return nil
			},
		},
		{
			name: "a key file readable by all that does not match the certificate gets a new key, private",
			before: func(t *testing.T, dir string) []byte {
				if _, err := (TLS{Auto: true, Dir: dir}).Config(); err != nil {
					t.Fatal(err)
				}
				writeMode(t, filepath.Join(dir, "key.pem"), []byte("not a key"), 0o644)
				return nil
			},
		},
		{
			name: "a usable key left readable by all is kept and made private",
			before: func(t *testing.T, dir string) []byte {
				if _, err := (TLS{Auto: true, Dir: dir}).Config(); err != nil {
					t.Fatal(err)
				}
				key, err := os.ReadFile(filepath.Join(dir, "key.pem"))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(filepath.Join(dir, "key.pem"), 0o644); err != nil {
					t.Fatal(err)
				}
				return key
			},
			keepKey: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			old := c.before(t, dir)
			if _, err := (TLS{Auto: true, Dir: dir}).Config(); err != nil {
				t.Fatal(err)
			}
			keyFile := filepath.Join(dir, "key.pem")
			info, err := os.Stat(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
			}
			key, _ := os.ReadFile(keyFile)
			if c.keepKey != bytes.Equal(key, old) {
				t.Fatalf("key kept: %v, want %v", bytes.Equal(key, old), c.keepKey)
			}
			if _, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), keyFile); err != nil {
				t.Fatalf("certificate and key do not load: %v", err)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
				t.Fatalf("temporary files left behind: %v", left)
			}
		})
	}
}

// writeMode writes a file with exactly mode perm, whatever the umask.
func writeMode(t *testing.T, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}
