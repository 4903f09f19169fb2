package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

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
	return &Guard{limits: l.WithDefaults(), conns: map[string]int{}, fails: map[string]failures{}}
}

// ClientIP is the address a request came from, as counted: r.RemoteAddr,
// which TrustProxies has set from a trusted proxy's header if there is one,
// with an IPv6 address reduced to its /64 (addrKey).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	return addrKey(a)
}

// Refused is for a request whose token is wrong: it counts the wrong token
// against r's address and reports whether that address has used up its
// wrong tokens, in which case it has replied 429; otherwise the caller
// replies 401 itself. Call it only once a token has proved wrong: a right
// token is always served, so guesses from one address never lock out the
// people who share it (an office behind one NAT).
func (g *Guard) Refused(w http.ResponseWriter, r *http.Request) bool {
	ip, now := ClientIP(r), time.Now()
	if g.blocked(ip, now) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", strconv.Itoa(int(failWindow.Seconds())))
		http.Error(w, "429 too many wrong tokens from your address; wait a minute", http.StatusTooManyRequests)
		return true
	}
	g.failed(ip, now)
	return false
}

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

// Acquire takes one of ip's connection slots; release gives it back.
func (g *Guard) Acquire(ip string) (release func(), ok bool) {
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
