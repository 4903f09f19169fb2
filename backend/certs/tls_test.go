package certs

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
