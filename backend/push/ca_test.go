package push

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/certs"
	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/relay"
	"framecast/internal/testcert"

	"github.com/gorilla/websocket"
)

// serverTLS is a relay's config with ca's certificate for 127.0.0.1.
func serverTLS(t *testing.T, ca *testcert.CA) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{ca.Loopback(t)}, MinVersion: tls.VersionTLS12}
}

func TestARelayOnAPrivateCAIsTrustedOnlyWithItsCAFile(t *testing.T) {
	ca := testcert.NewCA(t, "Framecast test CA")
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publishToken, TLS: serverTLS(t, ca)},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	url := "wss://" + rl.Addr().String() + "/ingest/line"

	cases := []struct {
		name   string
		caFile string
		want   string // "connected", or what the error says
	}{
		{"without --ca-file the system's CAs refuse the relay, and the error says what to give", "", "--ca-file"},
		{"with another CA's file the relay is refused", testcert.NewCA(t, "another CA").File, "certificate signed by unknown authority"},
		{"with its CA's file the relay is accepted", ca.File, "connected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := hub.New()
			p, err := New(Config{URL: url, PublishToken: publishToken, ViewToken: viewToken, CAFile: c.caFile}, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			deadline := time.Now().Add(10 * time.Second)
			for {
				st := p.Status()
				if st.State == "connected" {
					if c.want != "connected" {
						t.Fatalf("the push connected to a relay it must not trust: %+v", st)
					}
					break
				}
				if c.want != "connected" && st.Error != "" {
					if !strings.Contains(st.Error, c.want) || st.State != "refused" {
						t.Fatalf("push status %+v, want it refused with %q", st, c.want)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("push status %+v, want %q", st, c.want)
				}
				time.Sleep(20 * time.Millisecond) // Status has no change notice
			}
		})
	}
}

func TestFramesReachViewersOfARelayOnAPrivateCA(t *testing.T) {
	ca := testcert.NewCA(t, "Framecast test CA")
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publishToken, TLS: serverTLS(t, ca)},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 60, MaxWidth: 320, MaxHeight: 180, FPS: 30, Enabled: true}, engine.Deps{Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	p, err := New(Config{URL: "wss://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken, CAFile: ca.File}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: roots}, HandshakeTimeout: 5 * time.Second}
	var view *websocket.Conn
	deadline := time.Now().Add(10 * time.Second)
	for view == nil {
		if view, _, err = d.Dial("wss://"+rl.Addr().String()+"/s/line/ws?token="+viewToken, nil); err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("no stream on the relay: %v (push %+v)", err, p.Status())
			}
			time.Sleep(50 * time.Millisecond) // the producer has not connected yet
		}
	}
	defer view.Close()
	for {
		_ = view.SetReadDeadline(time.Now().Add(10 * time.Second))
		kind, msg, err := view.ReadMessage()
		if err != nil {
			t.Fatalf("no frame over wss: %v", err)
		}
		if kind == websocket.BinaryMessage {
			if f, jpg, err := protocol.DecodeFrame(msg); err != nil || f.W != 320 || len(jpg) == 0 {
				t.Fatalf("frame %+v, %d bytes: %v", f, len(jpg), err)
			}
			return
		}
	}
}

func TestACAFileThatCannotWorkIsRefused(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"a CA file for a plain ws:// relay is refused", Config{URL: "ws://r/ingest/a", PublishToken: publishToken, ViewToken: viewToken, CAFile: notPEM}, "only a wss:// relay"},
		{"a CA file that is not there is refused", Config{URL: "wss://r/ingest/a", PublishToken: publishToken, ViewToken: viewToken, CAFile: notPEM + ".missing"}, "no such file"},
		{"a CA file with no certificate in it is refused", Config{URL: "wss://r/ingest/a", PublishToken: publishToken, ViewToken: viewToken, CAFile: notPEM}, "no PEM certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := New(c.cfg, hub.New(), nil)
			if err == nil {
				p.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestARelayOnTLSAutoIsTrustedWithItsOwnCertificateAsCAFile(t *testing.T) {
	dir := t.TempDir()
	tc, err := certs.TLS{Auto: true, Dir: dir}.Config()
	if err != nil {
		t.Fatal(err)
	}
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publishToken, TLS: tc},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	// A self-signed certificate is its own CA: the relay's cert.pem is the
	// --ca-file a producer needs.
	p, err := New(Config{URL: "wss://" + rl.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken,
		CAFile: filepath.Join(dir, "cert.pem")}, hub.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	deadline := time.Now().Add(10 * time.Second)
	for p.Status().State != "connected" {
		if time.Now().After(deadline) {
			t.Fatalf("push status %+v, want connected", p.Status())
		}
		time.Sleep(20 * time.Millisecond) // Status has no change notice
	}
}
