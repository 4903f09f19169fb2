package push

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/relay"
)

// logLines is a log's output, line by line, that a test can wait on.
type logLines struct {
	mu    sync.Mutex
	lines []string      // guarded by mu
	added chan struct{} // gets a token (if it has none) whenever a line is added
}

func newLogLines() *logLines { return &logLines{added: make(chan struct{}, 1)} }

// Write takes one line: slog's text handler writes each record at once.
func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.lines = append(l.lines, string(p))
	l.mu.Unlock()
	select {
	case l.added <- struct{}{}:
	default:
	}
	return len(p), nil
}

// waitFor waits until n lines contain msg.
func (l *logLines) waitFor(t *testing.T, msg string, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		seen := 0
		for _, line := range l.lines {
			if strings.Contains(line, msg) {
				seen++
			}
		}
		l.mu.Unlock()
		if seen >= n {
			return
		}
		select {
		case <-l.added:
		case <-timeout:
			t.Fatalf("no %d log lines with %q in:\n%s", n, msg, l.String())
		}
	}
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "")
}

func TestNoTokenIsLoggedAsThePushConnectsFailsAndReconnects(t *testing.T) {
	logs := newLogLines()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	startRelay := func(addr string) *relay.Relay {
		rl, err := relay.New(relay.Config{Addr: addr, PublishToken: publishToken},
			relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		return rl
	}
	rl := startRelay("127.0.0.1:0")
	addr := rl.Addr().String()
	h := hub.New()
	eng, err := engine.New(engine.Settings{Source: "test", Quality: 60, MaxWidth: 160, MaxHeight: 90, FPS: 15, Enabled: true},
		engine.Deps{Hub: h, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	p, err := New(Config{URL: "ws://" + addr + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken}, h, log)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	steps := []struct {
		name string
		do   func()
		msg  string
		n    int
	}{
		{"connecting logs the viewer link without its token", func() {}, "pushing to the relay", 1},
		{"losing the relay logs why without the tokens", rl.Close, "relay connection lost", 1},
		{"reconnecting logs the link again without its token", func() { rl = startRelay(addr) }, "pushing to the relay", 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.do()
			logs.waitFor(t, s.msg, s.n)
			for _, secret := range []string{publishToken, viewToken} {
				if out := logs.String(); strings.Contains(out, secret) {
					t.Fatalf("a log line has the token %q:\n%s", secret, out)
				}
			}
		})
	}
	if !strings.Contains(logs.String(), "/s/line/") {
		t.Fatalf("the viewer link's path is missing from the log:\n%s", logs.String())
	}
	rl.Close()
}
