package server

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"framecast/backend/links"
	"framecast/backend/protocol"
)

// grantKey carries the links.Grant of a request's token in its context.
type grantKey struct{}

// grantOf is what the request's token was granted (requireToken put it
// there); the zero Grant, no rights, for a request that passed no check.
func grantOf(r *http.Request) links.Grant {
	g, _ := r.Context().Value(grantKey{}).(links.Grant)
	return g
}

// admit checks a token: the stream's own (every right), then the
// customer links' (Deps.Links). reason says why a link's token is refused
// (protocol.RefusedRevoked, RefusedExpired); "" for a token nobody has.
func (sh *Handler) admit(token string) (g links.Grant, reason string, ok bool) {
	if sh.validToken(token) {
		return links.Own(sh.links), "", true
	}
	return sh.links.Admit(sh.name, token)
}

// Opens reports whether token opens the stream, by its own token or a
// customer link's.
func (sh *Handler) Opens(token string) bool {
	_, _, ok := sh.admit(token)
	return ok
}

// join counts a streaming viewer (WebSocket, MJPEG) or a clip download
// under its request's grant. A link at its viewer cap is refused with 503
// (a clip download is no viewer: never), and one revoked or expired since
// its token was checked with 401; nothing changes then.
//
// The desktop window's own preview is the operator watching: neither
// counted nor audited (a nil Session, whose End does nothing).
func (sh *Handler) join(w http.ResponseWriter, r *http.Request, v links.Viewer) (*links.Session, bool) {
	if v.Kind == "preview" {
		return nil, true
	}
	v.Stream, v.Addr = sh.name, r.RemoteAddr
	s, err := grantOf(r).Join(v)
	switch {
	case err == nil:
		return s, true
	case errors.Is(err, links.ErrFull):
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "503 service unavailable: this link is watched by as many viewers as it allows; try again when one leaves", http.StatusServiceUnavailable)
	case errors.Is(err, links.ErrClosed):
		http.Error(w, "503 service unavailable: the server is shutting down", http.StatusServiceUnavailable)
	default:
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set(protocol.RefusedHeader, protocol.RefusedRevoked)
		http.Error(w, "401 unauthorized: this link was revoked", http.StatusUnauthorized)
	}
	return nil, false
}

// requireRecordings refuses a token whose link may not read recordings
// (403: the link is good, the right is not given).
func requireRecordings(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !grantOf(r).Recordings {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "403 forbidden: this link may watch the stream, not its recordings", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withGrant is r carrying g.
func withGrant(r *http.Request, g links.Grant) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), grantKey{}, g))
}

// refuseLink answers a customer link's token that no longer opens
// anything, saying why; it is no guess (whoever has it was given it), so
// it counts against nobody.
func (sh *Handler) refuseLink(w http.ResponseWriter, r *http.Request, reason string) {
	w.Header().Set(protocol.RefusedHeader, reason)
	switch reason {
	case protocol.RefusedExpired:
		sh.refuse(w, r, expiredPage, "401 unauthorized: this link expired; ask for a new one")
	default:
		sh.refuse(w, r, revokedPage, "401 unauthorized: this link was revoked")
	}
}

var (
	expiredPage = refusalPage("link expired", "This link expired",
		`The person who shares this stream gave this link a time to stop
working, and it has passed. Ask them for a new link.`)
	revokedPage = refusalPage("link revoked", "This link was revoked",
		`The person who shares this stream turned this link off. Ask them if
you should still have access.`)
)

// cutter ends a WebSocket viewer when its link ends: Join needs the cut
// before the viewer exists (the refusal of a full link comes before the
// upgrade), so a cut that comes first is kept for it.
type cutter struct {
	mu  sync.Mutex
	v   *wsViewer     // guarded by mu
	bye *protocol.Bye // guarded by mu
}

// cut is the session's Cut.
func (c *cutter) cut(_, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bye = &protocol.Bye{Type: "bye", Reason: text}
	if c.v != nil {
		c.v.kickWith(c.bye)
	}
}

// attach gives the cutter its viewer, kicked at once if its link ended.
func (c *cutter) attach(v *wsViewer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.v = v
	if c.bye != nil {
		v.kickWith(c.bye)
	}
}
