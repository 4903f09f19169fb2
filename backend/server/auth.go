package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"framecast/backend/protocol"
)

// Token returns the current access token.
func (sh *Handler) Token() string {
	sh.tokenMu.RLock()
	defer sh.tokenMu.RUnlock()
	return sh.token
}

// Replaced tokens are remembered this long, and at most this many.
const (
	replacedFor = 24 * time.Hour
	maxReplaced = 8
)

// replacedToken is a token the stream had, by its hash.
type replacedToken struct {
	hash  [32]byte
	until time.Time // forgotten then
}

// rememberReplacedLocked keeps old, the hash of a token just replaced;
// sh.tokenMu is held.
func (sh *Handler) rememberReplacedLocked(old [32]byte, now time.Time) {
	keep := sh.replaced[:0]
	for _, r := range sh.replaced {
		if now.Before(r.until) && r.hash != old {
			keep = append(keep, r)
		}
	}
	keep = append(keep, replacedToken{hash: old, until: now.Add(replacedFor)})
	if len(keep) > maxReplaced {
		keep = keep[len(keep)-maxReplaced:]
	}
	sh.replaced = keep
}

// wasReplaced reports whether got was one of the stream's tokens, replaced
// within replacedFor (and not the token now).
func (sh *Handler) wasReplaced(got string, now time.Time) bool {
	if len(got) > protocol.MaxTokenLen || got == "" {
		return false
	}
	h := protocol.HashToken(got)
	sh.tokenMu.RLock()
	defer sh.tokenMu.RUnlock()
	found := 0
	for _, r := range sh.replaced {
		// Every entry is compared, in constant time, so the time taken
		// does not say which.
		found |= subtle.ConstantTimeCompare(h[:], r.hash[:]) & boolInt(now.Before(r.until))
	}
	return found == 1
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SetToken replaces the access token at once: viewers on the old link are
// told so and disconnected (customer links' viewers watch on), and the old link is answered "replaced" for a
// while (RefusedReplaced).
func (sh *Handler) SetToken(token string) {
	hash := protocol.HashToken(token)
	sh.tokenMu.Lock()
	if hash != sh.hash {
		sh.rememberReplacedLocked(sh.hash, time.Now())
	}
	sh.token, sh.hash = token, hash
	sh.tokenMu.Unlock()
	sh.closeOwnViewers("this link was replaced by a new one")
}

// SetTokenHash replaces the access token by its hash alone, for a stream
// whose token only another relay knows; viewers on the old link are told
// and disconnected, as by SetToken. Token then returns "".
func (sh *Handler) SetTokenHash(hash [32]byte) {
	sh.tokenMu.Lock()
	changed := sh.hash != hash
	if changed {
		sh.rememberReplacedLocked(sh.hash, time.Now())
	}
	sh.token, sh.hash = "", hash
	sh.tokenMu.Unlock()
	if changed {
		sh.closeOwnViewers("this link was replaced by a new one")
	}
}

// KnowToken records the token itself when only its hash was known (see
// SetTokenHash): the same link, so nobody is disconnected. It reports
// whether token is the stream's.
func (sh *Handler) KnowToken(token string) bool {
	sh.tokenMu.Lock()
	defer sh.tokenMu.Unlock()
	if !protocol.MatchesHash(token, sh.hash) {
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

func (sh *Handler) validToken(got string) bool { return protocol.MatchesHash(got, sh.TokenHash()) }

// requireToken refuses a request without the right token (the stream's
// own or a customer link's, Deps.Links) with 401 and no stream data,
// saying why in RefusedHeader; the request it passes carries what its
// token was granted (grantOf). The right token is always served. A
// customer link revoked or expired is told so. A token the stream had until a new link replaced it is told so
// (it is no guess: whoever has it was given it). Other wrong ones count
// against the address, which gets 429 for them once it has tried too
// many; on a relay they are "not yet" (RefusedNotYet), the same whether
// the stream exists or not, and the page is the viewer page, which keeps
// trying until the stream comes.
func (sh *Handler) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.URL.Query().Get("token")
		g, linkReason, ok := sh.admit(got)
		if ok {
			next.ServeHTTP(w, withGrant(r, g))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if linkReason != "" {
			sh.refuseLink(w, r, linkReason)
			return
		}
		if sh.wasReplaced(got, time.Now()) {
			w.Header().Set(protocol.RefusedHeader, protocol.RefusedReplaced)
			sh.refuse(w, r, replacedPage, "401 unauthorized: this link was replaced by a new one; ask for the new link")
			return
		}
		reason := protocol.RefusedToken
		if sh.mayStartLater {
			reason = protocol.RefusedNotYet
		}
		w.Header().Set(protocol.RefusedHeader, reason)
		if sh.guard.Refused(w, r) {
			return
		}
		switch {
		case sh.mayStartLater && r.URL.Path == "/":
			// The viewer page itself, which asks again (with growing
			// pauses) until the stream's producer comes with this token.
			sh.servePageWithStatus(w, http.StatusUnauthorized)
		case sh.mayStartLater:
			http.Error(w, "401 unauthorized: no stream is live at this link yet, or its token is wrong", http.StatusUnauthorized)
		default:
			sh.refuse(w, r, unauthorizedPage, "401 unauthorized: this link's token is missing or wrong")
		}
	})
}

// refuse replies 401 with page to the page's own address and with text
// to the rest.
func (sh *Handler) refuse(w http.ResponseWriter, r *http.Request, page, text string) {
	if r.URL.Path == "/" {
		setPageHeaders(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(page))
		return
	}
	http.Error(w, text, http.StatusUnauthorized)
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

// refusalPage is the page a refused link shows: a title, a heading and
// what to do.
func refusalPage(title, heading, text string) string {
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Framecast: ` + title + `</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{background:#111;color:#eee;font:16px system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0}
main{max-width:32em;padding:2em;text-align:center}h1{font-size:1.4em}</style></head>
<body><main><h1>` + heading + `</h1>
<p>` + text + `</p></main></body></html>
`
}

var (
	replacedPage = refusalPage("link replaced", "This link was replaced",
		`The person who shares this stream made a new link, and this one no
longer opens it. Ask them for the new link.`)
	unauthorizedPage = refusalPage("link not valid", "This link is not valid",
		`Its access token is missing or wrong. Ask the person who shared the
stream for the link again.`)
)

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
