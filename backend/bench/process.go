package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of CPU times in /proc/PID/stat.
const clockTicks = 100

// process is a framecast server started for the benchmark.
type process struct {
	cmd   *exec.Cmd
	addr  string
	token string
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func startServer(ctx context.Context, binary string, extra []string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	token := "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	// All viewers come from this one address.
	args := append([]string{"serve", "--addr", addr, "--token", token, "--log-level", "warn", "--max-per-ip", "100000"}, extra...)
	p, err := startProcess(ctx, addr, "http://"+addr+"/healthz", binary, args...)
	if err != nil {
		return nil, err
	}
	p.token = token
	return p, nil
}

// startProcess runs a server and waits until health answers (any HTTP
// status, or a plain TCP accept when health is "").
func startProcess(ctx context.Context, addr, health, binary string, args ...string) (*process, error) {
	p := &process{addr: addr}
	p.cmd = exec.CommandContext(ctx, binary, args...)
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if health == "" {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				return p, nil
			}
		} else if resp, err := http.Get(health); err == nil {
			resp.Body.Close()
			return p, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer within 15 s", binary)
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// statFields reads /proc/PID/stat after the command name.
func (p *process) statFields() ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+2:]), nil
}

// cpu is the server's user+system CPU time so far.
func (p *process) cpu() (time.Duration, error) {
	f, err := p.statFields()
	if err != nil || len(f) < 13 {
		return 0, fmt.Errorf("read server cpu: %v", err)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// rss is the server's resident memory in bytes.
func (p *process) rss() (int64, error) {
	f, err := p.statFields()
	if err != nil || len(f) < 22 {
		return 0, fmt.Errorf("read server rss: %v", err)
	}
	pages, _ := strconv.ParseInt(f[21], 10, 64)
	return pages * int64(os.Getpagesize()), nil
}
