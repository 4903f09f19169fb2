package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"framecast/backend/client"

	"github.com/gorilla/websocket"
)

// TestMain lets a test run this binary as `framecast`: with FRAMECAST_MAIN
// set, the test binary is the program, its arguments taken from
// FRAMECAST_ARGS (split at spaces) or, without it, from its own command line.
func TestMain(m *testing.M) {
	if os.Getenv("FRAMECAST_MAIN") == "1" {
		args, given := os.LookupEnv("FRAMECAST_ARGS")
		if given {
			os.Args = append([]string{"framecast"}, strings.Fields(args)...)
		} else {
			os.Args[0] = "framecast"
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeShutsDownGracefullyOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String()+" closes viewers with a reason and exits within 2 s", func(t *testing.T) {
			addr := freeAddr(t)
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), "FRAMECAST_MAIN=1",
				"FRAMECAST_ARGS=serve --source test --addr "+addr+" --token shutdown-token-0123456789 --width 320 --height 180")
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			sc := bufio.NewScanner(out)
			for sc.Scan() && !strings.Contains(sc.Text(), "Ctrl+C") {
			}
			go func() {
				for sc.Scan() {
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			v, err := client.Dial(ctx, "ws://"+addr+"/ws?token=shutdown-token-0123456789", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.NextFrame(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var closeErr error
			for closeErr == nil {
				_, closeErr = v.Next(5 * time.Second)
			}
			if !websocket.IsCloseError(closeErr, websocket.CloseGoingAway) || !strings.Contains(closeErr.Error(), "shutting down") {
				t.Fatalf("viewer saw %v, want a going-away close saying the server is shutting down", closeErr)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit: %v", err)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("still running 2 s after the signal")
			}
			t.Logf("exited %v after %v", sig, time.Since(start))
		})
	}
}
