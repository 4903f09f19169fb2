package engine

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestARepeatingErrorIsSummarisedNotFlooded(t *testing.T) {
	var buf bytes.Buffer
	s := errorSummary{log: slog.New(slog.NewTextHandler(&buf, nil)), msg: "process frame"}
	t0 := time.Unix(1000, 0)
	for i := 0; i < 300; i++ { // 10 s of a failure at 30 fps
		s.report(errors.New("faces: boom"), t0.Add(time.Duration(i)*time.Second/30))
	}
	s.report(errors.New("faces: boom"), t0.Add(11*time.Second))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines for 301 failures, want 2 (the first, then a summary):\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[1], "repeated=") {
		t.Fatalf("second line %q is not a summary", lines[1])
	}
	s.report(errors.New("blur: other"), t0.Add(12*time.Second))
	if !strings.Contains(buf.String(), "blur: other") {
		t.Fatal("a new error was not logged at once")
	}
}
