package httpx

import (
	"encoding/json"
	"net/http"
)

// WriteJSON answers v as JSON with status: never cached (answers carry a
// stream's or the operator's data) and never sniffed as anything else.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteJSONError answers {"error": msg} with status.
func WriteJSONError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}
