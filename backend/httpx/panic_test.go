package httpx

import (
	"framecast/internal/testproc"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestAPanickingHandlerIsLoggedAtErrorWithItsStackAndCounted(t *testing.T) {
	var logs testproc.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var panics atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("the handler broke") })
	mux.HandleFunc("/fine", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("fine")) })
	srv := NewHTTPServer(mux, log, func() { panics.Add(1) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	if resp, err := http.Get(base + "/boom?token=secret"); err == nil {
		resp.Body.Close()
		t.Fatalf("a panicking handler answered %d; the connection should be cut", resp.StatusCode)
	}
	if panics.Load() != 1 {
		t.Fatalf("panics counted: %d, want 1", panics.Load())
	}
	text := logs.String()
	for _, want := range []string{"level=ERROR", "HTTP handler panicked", "the handler broke", "path=/boom", "panic_test.go"} {
		if !strings.Contains(text, want) {
			t.Fatalf("log lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "secret") {
		t.Fatalf("the log shows the query's token:\n%s", text)
	}
	resp, err := http.Get(base + "/fine")
	if err != nil {
		t.Fatalf("the server stopped serving after a panic: %v", err)
	}
	resp.Body.Close()
}
