package server

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits bound what viewers can take. Zero fields take the defaults.
type Limits struct {
	// MaxViewers is how many WebSocket and MJPEG viewers one stream serves
	// (a Handler's own; a shared Guard ignores it).
	MaxViewers int
	// MaxPerIP is how many of those one client address may hold at once.
	MaxPerIP int
	// MaxFailedTokens is how many wrong tokens one address may try in
	// failWindow before it gets 429 for the rest of that window.
	MaxFailedTokens int
	// PongWait is how soon a WebSocket viewer that went silent (vanished
	// without a close) is dropped: 10 s by default.
	PongWait time.Duration
}

// DefaultLimits: 500 viewers a stream, 50 per address (an office behind one
// NAT), 20 wrong tokens a minute.
var DefaultLimits = Limits{MaxViewers: 500, MaxPerIP: 50, MaxFailedTokens: 20}

// failWindow is how long wrong tokens are remembered.
const failWindow = time.Minute

func (l Limits) withDefaults() Limits {
	if l.MaxViewers <= 0 {
		l.MaxViewers = DefaultLimits.MaxViewers
	}
	if l.MaxPerIP <= 0 {
		l.MaxPerIP = DefaultLimits.MaxPerIP
	}
	if l.MaxFailedTokens <= 0 {
		l.MaxFailedTokens = DefaultLimits.MaxFailedTokens
	}
	if l.PongWait <= 0 {
		l.PongWait = defaultPongWait
	}
	return l
}

// Guard counts connections and wrong tokens per client address. One Guard
// may serve many streams (the relay shares one), so spreading guesses over
// streams does not help.
type Guard struct {
	limits Limits

	mu    sync.Mutex
	conns map[string]int      // open streaming connections per address; guarded by mu
	fails map[string]failures // wrong tokens per address; guarded by mu
}

type failures struct {
	n     int
	since time.Time
}

// NewGuard returns a Guard with the given limits.
func NewGuard(l Limits) *Guard {
	return &Guard{limits: l.withDefaults(), conns: map[string]int{}, fails: map[string]failures{}}
}

// clientIP is the address a request came from. Forwarding headers are not
// trusted: anyone can write them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Blocked reports whether r's address has used up its wrong tokens; if so it
// has replied 429.
func (g *Guard) Blocked(w http.ResponseWriter, r *http.Request) bool {
	if !g.blocked(clientIP(r), time.Now()) {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(failWindow.Seconds())))
	http.Error(w, "429 too many wrong tokens from your address; wait a minute", http.StatusTooManyRequests)
	return true
}

// Failed records a wrong token from r's address.
func (g *Guard) Failed(r *http.Request) { g.failed(clientIP(r), time.Now()) }

// blocked reports whether ip has used up its wrong tokens.
func (g *Guard) blocked(ip string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.fails[ip]
	if ok && now.Sub(f.since) > failWindow {
		delete(g.fails, ip)
		return false
	}
	return ok && f.n >= g.limits.MaxFailedTokens
}

// failed records a wrong token from ip, forgetting stale entries as it goes
// so the map cannot grow without bound.
func (g *Guard) failed(ip string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.fails) > 10000 {
		for k, f := range g.fails {
			if now.Sub(f.since) > failWindow {
				delete(g.fails, k)
			}
		}
	}
	f, ok := g.fails[ip]
	if !ok || now.Sub(f.since) > failWindow {
		f = failures{since: now}
	}
	f.n++
	g.fails[ip] = f
}

// acquire takes one of ip's connection slots; release gives it back.
func (g *Guard) acquire(ip string) (release func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns[ip] >= g.limits.MaxPerIP {
		return nil, false
	}
	g.conns[ip]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.conns[ip]--; g.conns[ip] <= 0 {
			delete(g.conns, ip)
		}
	}, true
}

// Admit checks a streaming viewer (WebSocket or MJPEG, or the relay's
// old-style clients) against the limits before it is served; it replies
// itself and returns ok=false when refused. The caller calls release when
// the viewer has gone.
func (sh *Handler) Admit(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	sh.viewersMu.Lock()
	if sh.streaming >= sh.maxViewers {
		sh.viewersMu.Unlock()
		w.Header().Set("Retry-After", "30")
		http.Error(w, "this stream already has its maximum of "+strconv.Itoa(sh.maxViewers)+" viewers; try again later", http.StatusServiceUnavailable)
		return nil, false
	}
	sh.streaming++
	sh.viewersMu.Unlock()
	releaseIP, ok := sh.guard.acquire(clientIP(r))
	if !ok {
		sh.viewersMu.Lock()
		sh.streaming--
		sh.viewersMu.Unlock()
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many connections from your address", http.StatusTooManyRequests)
		return nil, false
	}
	return func() {
		releaseIP()
		sh.viewersMu.Lock()
		sh.streaming--
		sh.viewersMu.Unlock()
	}, true
}
