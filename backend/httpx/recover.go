package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// recoverPanics logs a panicking handler at error level with its stack and
// counts it, then aborts the connection as net/http would. net/http alone
// logs it through Server.ErrorLog, which Framecast keeps at debug level for
// the noise of the internet (TLS handshakes of scanners and the like), so a
// broken handler would go unseen.
func recoverPanics(next http.Handler, log *slog.Logger, onPanic func()) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // a deliberate abort, not a bug
			}
			// The path only: queries carry tokens.
			log.Error("HTTP handler panicked", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr,
				"panic", v, "stack", string(debug.Stack()))
			if onPanic != nil {
				onPanic()
			}
			panic(http.ErrAbortHandler)
		}()
		next.ServeHTTP(w, r)
	})
}
