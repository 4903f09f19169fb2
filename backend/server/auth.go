package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"framecast/backend/protocol"
)

// NewToken returns a random URL-safe token of 128 bits.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// Token returns the current access token.
func (sh *Handler) Token() string {
	sh.tokenMu.RLock()
	defer sh.tokenMu.RUnlock()
	return sh.token
}

// SetToken replaces the access token at once: viewers on the old link are
// told so and disconnected.
func (sh *Handler) SetToken(token string) {
	sh.tokenMu.Lock()
	sh.token, sh.hash = token, HashToken(token)
	sh.tokenMu.Unlock()
	sh.closeViewers("this link was replaced by a new one")
}

// SetTokenHash replaces the access token by its hash alone, for a stream
// whose token only another relay knows; viewers on the old link are told
// and disconnected, as by SetToken. Token then returns "".
func (sh *Handler) SetTokenHash(hash [32]byte) {
	sh.tokenMu.Lock()
	changed := sh.hash != hash
	sh.token, sh.hash = "", hash
	sh.tokenMu.Unlock()
	if changed {
		sh.closeViewers("this link was replaced by a new one")
	}
}

// KnowToken records the token itself when only its hash was known (see
// SetTokenHash): the same link, so nobody is disconnected. It reports
// whether token is the stream's.
func (sh *Handler) KnowToken(token string) bool {
	sh.tokenMu.Lock()
	defer sh.tokenMu.Unlock()
	if !MatchesHash(token, sh.hash) {
		return false
	}
	sh.token = token
	return true
}

// TokenHash is the SHA-256 of the access token.
func (sh *Handler) TokenHash() [32]byte {
	sh.tokenMu.RLock()
	defer sh.tokenMu.RUnlock()
	return sh.hash
}

// HashToken is the SHA-256 of a token, as a stream table keeps it.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// MatchesHash reports in constant time whether got hashes to hash.
func MatchesHash(got string, hash [32]byte) bool {
	if len(got) > protocol.MaxTokenLen {
		return false // no token is this long: spare the hashing
	}
	h := HashToken(got)
	return subtle.ConstantTimeCompare(h[:], hash[:]) == 1
}

// EqualTokens compares a token given with the expected one in constant
// time; hashing first makes the time independent of the lengths too.
func EqualTokens(got, want string) bool {
	if len(got) > protocol.MaxTokenLen {
		return false // no token is this long: spare the hashing
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (sh *Handler) validToken(got string) bool { return MatchesHash(got, sh.TokenHash()) }

// requireToken refuses a request without the right token with 401 and no
// stream data. The right token is always served; wrong ones count against
// the address, which gets 429 for them once it has tried too many.
func (sh *Handler) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sh.validToken(r.URL.Query().Get("token")) {
			next.ServeHTTP(w, r)
			return
		}
		if sh.guard.Refused(w, r) {
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path == "/" {
			setPageHeaders(w)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(unauthorizedPage))
			return
		}
		http.Error(w, "401 unauthorized: this link's token is missing, wrong or was replaced", http.StatusUnauthorized)
	})
}

// allowOrigins lets pages of the listed origins (the desktop app's webview,
// --allow-origin) read responses: the app's preview asks /healthz and
// /api/state why a connection failed. No other origin is granted anything.
func allowOrigins(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); o != "" && slices.Contains(origins, o) {
			w.Header().Set("Access-Control-Allow-Origin", o)
		}
		next.ServeHTTP(w, r)
	})
}

// AllowOrigins is allowOrigins for the relay, which serves many streams on
// one HTTP server.
func AllowOrigins(next http.Handler, origins []string) http.Handler {
	return allowOrigins(next, origins)
}

// checkOrigin accepts clients without an Origin (not browsers), pages from
// this same host, and the origins configured (the desktop app's webview,
// --allow-origin): never any other site. On a relay's streams
// ?format=dataurl is accepted from anywhere: it exists for pages written
// for the old Node.js relay, which live on their own sites by nature, and
// the token in the URL they are given is what protects the stream. The
// app's own server, which a LAN page has no reason to reach from another
// site, does not make that exception.
func (sh *Handler) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	switch {
	case origin == "", slices.Contains(sh.origins, origin):
		return true
	case sh.anyOriginDataURL && r.URL.Query().Get("format") == "dataurl":
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

const unauthorizedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Framecast: link not valid</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{background:#111;color:#eee;font:16px system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0}
main{max-width:32em;padding:2em;text-align:center}h1{font-size:1.4em}</style></head>
<body><main><h1>This link is not valid</h1>
<p>Its access token is missing, wrong, or was replaced by a new link.
Ask the person who shared the stream for a new link, or try again once
the stream has started.</p></main></body></html>
`

// isOperator reports whether a request with the stream's token comes from
// the person running it rather than from a viewer they gave the link: the
// desktop app's own preview (its loopback listener), or a client on this
// machine that no proxy forwarded. Only the operator sees the source with
// its credentials and the viewers' addresses; a reverse proxy on this
// machine that is not --trusted-proxy still marks what it forwards with
// X-Forwarded-For or Forwarded, and those requests are viewers'.
func isOperator(r *http.Request) bool {
	if onLoopbackListener(r.Context()) {
		return true
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
