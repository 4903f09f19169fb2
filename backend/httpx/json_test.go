package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestJSONAnswersAreTypedUncachedAndUnsniffed(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSONError(rec, 404, "no such <stream>")
	h := rec.Result().Header
	if rec.Code != 404 || h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("%d %v", rec.Code, h)
	}
	if got := strings.TrimSpace(rec.Body.String()); got != `{"error":"no such \u003cstream\u003e"}` {
		t.Fatalf("body %s", got)
	}
}
