//go:build unix

package httpx

import (
	"bufio"
	"fmt"
	"framecast/internal/testnet"
	"framecast/internal/testproc"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestConnectionLimitsFitTheOpenFilesLimit(t *testing.T) {
	cases := []struct {
		name          string
		limits        Limits
		nofile        uint64
		conns, perIP  int
		perIPViewers  int
		loweredSaying string
	}{
		{"the defaults fit a limit of 65,536 as they are", Limits{}, 65536, 4096, 128, 50, ""},
		{"an unknown limit changes nothing", Limits{MaxPerIP: 100000}, 0, 400000, 200000, 100000, ""},
		{"limits derived from --max-per-ip 100000 are lowered below 4,096 files", Limits{MaxPerIP: 100000}, 4096, 3520, 880, 880,
			"max-conns 400000 lowered to 3520 and max-conns-per-ip 200000 to 880: the process may open 4096 files"},
		{"the defaults are lowered under the 1,024 files of an unraised limit, per address kept", Limits{}, 1024, 832, 128, 50,
			"max-conns 4096 lowered to 832: the process may open 1024 files"},
		{"a tiny limit still leaves a few connections", Limits{}, 32, 8, 2, 2, "max-conns 4096 lowered to 8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, msg := c.limits.FitOpenFiles(c.nofile)
			if got.MaxConns != c.conns || got.MaxConnsPerIP != c.perIP || got.MaxPerIP != c.perIPViewers {
				t.Fatalf("conns %d, per address %d, viewers per address %d; want %d, %d, %d",
					got.MaxConns, got.MaxConnsPerIP, got.MaxPerIP, c.conns, c.perIP, c.perIPViewers)
			}
			if c.loweredSaying == "" && msg != "" || !strings.Contains(msg, c.loweredSaying) {
				t.Fatalf("said %q, want %q", msg, c.loweredSaying)
			}
			if c.nofile > 0 && uint64(got.MaxConns) >= c.nofile {
				t.Fatalf("%d connections for %d files", got.MaxConns, c.nofile)
			}
		})
	}
}

// nofileHelperEnv, set, makes TestHelperServerUnderAnOpenFilesLimit a
// server whose process may open that many files.
const nofileHelperEnv = "FRAMECAST_TEST_NOFILE"

// TestHelperServerUnderAnOpenFilesLimit is not a test of its own: run by
// TestAnIdleSocketFloodCannotUseUpTheOpenFiles in a process of its own,
// it lowers RLIMIT_NOFILE, serves healthz with the limits --max-per-ip
// 100000 gives, prints its address and serves until its stdin closes.
func TestHelperServerUnderAnOpenFilesLimit(t *testing.T) {
	v := os.Getenv(nofileHelperEnv)
	if v == "" {
		t.Skip("a helper process of TestAnIdleSocketFloodCannotUseUpTheOpenFiles")
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		t.Fatal(err)
	}
	r.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := Listen("127.0.0.1:0", nil, Limits{MaxPerIP: 100000}, log)
	if err != nil {
		t.Fatal(err)
	}
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "401", http.StatusUnauthorized) })
	// Idle sockets are kept a minute: this is about descriptors, not timeouts.
	srv := newHTTPServer(WithHealth(refuse), log, nil, httpTimeouts{header: time.Minute, idle: time.Minute})
	go func() { _ = srv.Serve(ln) }()
	fmt.Println(ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
}

func TestAnIdleSocketFloodCannotUseUpTheOpenFiles(t *testing.T) {
	const nofile = 256
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServerUnderAnOpenFilesLimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), nofileHelperEnv+"="+strconv.Itoa(nofile))
	var stderr testproc.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the helper said nothing: %v\n%s", err, stderr.String())
	}
	addr := strings.TrimSpace(line)

	// Idle sockets, twice the files the server may open, from three
	// addresses; the kernel completes each connection whether or not the
	// server accepts it.
	var flood []net.Conn
	t.Cleanup(func() {
		for _, c := range flood {
			c.Close()
		}
	})
	for i := range 2 * nofile {
		c, err := dialFrom(fmt.Sprintf("127.0.5.%d", 1+i%3), addr)
		if err != nil {
			t.Fatal(err)
		}
		flood = append(flood, c)
	}
	t.Run("healthz still answers another address", func(t *testing.T) {
		testnet.WaitUntil(t, "healthz from another address", func() bool { return healthzFrom("127.0.6.1", addr) })
	})
	t.Run("the server said at start what it lowered", func(t *testing.T) {
		if !strings.Contains(stderr.String(), "lowered to 160") || !strings.Contains(stderr.String(), "may open 256 files") {
			t.Fatalf("log:\n%s", stderr.String())
		}
	})
}
