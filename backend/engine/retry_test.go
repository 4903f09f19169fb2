package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/protocol"
	"framecast/backend/source"

	"gocv.io/x/gocv"
)

// logLines keeps every log record's message, for tests that count them.
type logLines struct {
	mu    sync.Mutex
	lines []string // guarded by mu
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logLines) WithGroup(string) slog.Handler            { return l }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, r.Message)
	return nil
}

// about returns the lines that mention word.
func (l *logLines) about(word string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.lines {
		if strings.Contains(m, word) {
			out = append(out, m)
		}
	}
	return out
}

// unplayable opens like a network file on a server without byte ranges:
// the open succeeds, the first read fails.
func unplayable(opens *atomic.Int32) OpenFunc {
	return func(spec source.Spec, opt source.Options) (source.Source, error) {
		opens.Add(1)
		return &fakeSource{
			ReadImpl:  func(*gocv.Mat) error { return fmt.Errorf("%s: %w", spec, source.ErrEnded) },
			CloseImpl: func() error { return nil },
		}, nil
	}
}

func TestASourceThatOpensButNeverPlaysIsRetriedWithBackoffAndQuietLogs(t *testing.T) {
	var opens atomic.Int32
	logs := &logLines{}
	set := small()
	set.Source = "http://192.0.2.1/clip.mp4"
	_, h := start(t, set, Deps{Open: unplayable(&opens), Log: slog.New(logs)})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	waitStatus(t, h, protocol.StateNoSignal)
	// The window is the point: how many opens fit in it.
	time.Sleep(5 * time.Second)
	// Retries wait at least 0.25, 0.5, 1, 2, then 4 s (the upper half of
	// 0.5 s doubling, with jitter): four reopens fit in 5 s, after the open
	// at start. A backoff started afresh at each open would fit ten or more.
	if n := opens.Load(); n > 5 || n < 2 {
		t.Fatalf("opened %d times in the 5 s after it first failed, want 2 to 5", n)
	}
	if lines := logs.about("source"); len(lines) > 2 {
		t.Fatalf("%d log lines about the source in 5 s of retrying, want the first failure (and at most a summary): %q", len(lines), lines)
	}
	// Viewers are told all along.
	if f := next(t, s); !f.Header.Placeholder {
		t.Fatal("the viewer does not get the NO SIGNAL picture while the source is retried")
	}
}

func TestASourceBackForAWhileIsRetriedQuicklyWhenLostAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a source that stays up for stableAfter")
	}
	// The first two opens play nothing; the third plays until lost is set.
	var opens atomic.Int32
	var lost atomic.Bool
	var reopenedAt atomic.Int64 // Unix ns of the open after lost was set
	open := func(spec source.Spec, opt source.Options) (source.Source, error) {
		n := opens.Add(1)
		if lost.Load() && reopenedAt.Load() == 0 {
			reopenedAt.Store(time.Now().UnixNano())
		}
		src, err := source.Open(source.Spec{Kind: source.KindTest}, opt)
		if err != nil {
			return nil, err
		}
		return &fakeSource{
			ReadImpl: func(m *gocv.Mat) error {
				if n < 3 || (n == 3 && lost.Load()) {
					return source.ErrEnded
				}
				return src.Read(m)
			},
			CloseImpl: src.Close,
		}, nil
	}
	logs := &logLines{}
	_, h := start(t, small(), Deps{Open: open, Log: slog.New(logs)})
	s := h.Subscribe("test", "", "")
	defer h.Unsubscribe(s)
	waitStatus(t, h, protocol.StateLive)
	// Back, and then up for longer than stableAfter: the backoff starts again.
	deadline := time.Now().Add(stableAfter + 3*time.Second)
	for len(logs.about("source back")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no \"source back\" line %v after the source came back: %q", stableAfter+3*time.Second, logs.about("source"))
		}
		next(t, s)
	}
	lostAt := time.Now()
	lost.Store(true)
	deadline = time.Now().Add(3 * time.Second)
	for reopenedAt.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the source lost again was not reopened within 3 s")
		}
		next(t, s)
	}
	// The first step is 0.5 s; the third would have been 2 s and more.
	if d := time.Unix(0, reopenedAt.Load()).Sub(lostAt); d > time.Second {
		t.Fatalf("the source lost again was reopened %v later, want the first step (0.5 s) again", d)
	}
}
