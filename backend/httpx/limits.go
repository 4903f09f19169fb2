package httpx

import (
	"fmt"
	"net/netip"
	"time"
)

// Limits bound what clients can take. Zero fields take the defaults.
type Limits struct {
	// MaxViewers is how many WebSocket and MJPEG viewers (and snapshots
	// waiting for their frame) one stream serves (a Handler's own; a shared
	// Guard ignores it).
	MaxViewers int
	// MaxPerIP is how many of those one client address may hold at once.
	MaxPerIP int
	// MaxFailedTokens is how many wrong tokens one address may try in
	// failWindow before its wrong tokens get 429 for the rest of that window.
	MaxFailedTokens int
	// PongWait is how soon a WebSocket viewer that went silent (vanished
	// without a close) is dropped: 10 s by default.
	PongWait time.Duration

	// MaxConns bounds the TCP connections the server's listener keeps open,
	// of any kind (Listen): what bounds its file descriptors. Zero: 4,096,
	// or twice MaxConnsPerIP when that is more.
	MaxConns int
	// MaxConnsPerIP bounds those of one client address. Zero: 128, or twice
	// MaxPerIP when that is more. So the defaults follow a raised MaxPerIP
	// (the benchmark's, say): an address's viewers always fit.
	MaxConnsPerIP int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header names the client (clientaddr.go). Their own address
	// is exempt from MaxConnsPerIP: every client behind them shares it.
	TrustedProxies []netip.Prefix
}

// DefaultLimits are 500 viewers a stream, 50 per address (an office behind one
// NAT), 20 wrong tokens a minute; 4,096 connections in all and 128 per
// address.
//
// 128 per address fits the 50 viewers of that office, each with its
// WebSocket and, for a few seconds, the page's own requests, with room to
// spare. 4,096 in all keeps well below the file descriptors a process gets
// on any current system (Go raises the soft limit to the hard one, at least
// 4,096 and usually far more), and takes 32 addresses at their cap to fill.
func DefaultLimits() Limits {
	return Limits{MaxViewers: 500, MaxPerIP: 50, MaxFailedTokens: 20, MaxConns: 4096, MaxConnsPerIP: 128}
}

// failWindow is how long wrong tokens are remembered.
const failWindow = time.Minute

// defaultPongWait is how long a silent WebSocket viewer keeps its slot:
// one that vanished without closing is dropped this soon.
const defaultPongWait = 10 * time.Second

// WithDefaults is l with every zero field given its default.
func (l Limits) WithDefaults() Limits {
	def := DefaultLimits()
	if l.MaxViewers <= 0 {
		l.MaxViewers = def.MaxViewers
	}
	if l.MaxPerIP <= 0 {
		l.MaxPerIP = def.MaxPerIP
	}
	if l.MaxFailedTokens <= 0 {
		l.MaxFailedTokens = def.MaxFailedTokens
	}
	if l.PongWait <= 0 {
		l.PongWait = defaultPongWait
	}
	if l.MaxConnsPerIP <= 0 {
		l.MaxConnsPerIP = max(def.MaxConnsPerIP, 2*l.MaxPerIP)
	}
	if l.MaxConns <= 0 {
		l.MaxConns = max(def.MaxConns, 2*l.MaxConnsPerIP)
	}
	return l
}

// Validate reports limits that cannot work together, in words a person can
// act on. Zero fields are valid: they take the defaults.
func (l Limits) Validate() error {
	l = l.WithDefaults()
	if l.MaxConnsPerIP >= l.MaxConns {
		return fmt.Errorf("connections per address (--max-conns-per-ip %d) must be fewer than connections in all (--max-conns %d), or one address could take every one",
			l.MaxConnsPerIP, l.MaxConns)
	}
	if l.MaxConnsPerIP < l.MaxPerIP {
		return fmt.Errorf("connections per address (--max-conns-per-ip %d) must be at least the streaming connections per address (--max-per-ip %d)",
			l.MaxConnsPerIP, l.MaxPerIP)
	}
	return nil
}

// FitOpenFiles lowers the connection limits (as WithDefaults makes them)
// to what a process that may open nofile files can hold, and says what it
// lowered, or "" when nothing. Connections are kept below nofile by a
// headroom for everything else that takes a descriptor: 64 for the
// listeners, log and settings files, the camera, NATS and the like, and an
// eighth of nofile for the pipes frames are spliced from (four a stream,
// on Linux). Per address, at most a quarter of what is left, so that a
// flood from one address leaves room for the others (healthz among them).
// nofile 0 (unknown) changes nothing.
//
// Without this, limits derived from a large --max-per-ip (100,000 gives
// 400,000 connections) let an idle-socket flood use up the descriptors,
// and then nobody is served at all, healthz included.
func (l Limits) FitOpenFiles(nofile uint64) (Limits, string) {
	l = l.WithDefaults()
	const fixed = 64
	if nofile == 0 || nofile > 1<<40 {
		return l, ""
	}
	usable := max(int(nofile)-fixed-int(nofile/8), 8)
	if l.MaxConns <= usable {
		return l, ""
	}
	msg := fmt.Sprintf("max-conns %d lowered to %d", l.MaxConns, usable)
	l.MaxConns = usable
	if perIP := max(usable/4, 2); l.MaxConnsPerIP > perIP {
		msg += fmt.Sprintf(" and max-conns-per-ip %d to %d", l.MaxConnsPerIP, perIP)
		l.MaxConnsPerIP = perIP
	}
	l.MaxPerIP = min(l.MaxPerIP, l.MaxConnsPerIP)
	return l, msg + fmt.Sprintf(": the process may open %d files (RLIMIT_NOFILE); raise that (ulimit -n, systemd's LimitNOFILE=) for more", nofile)
}
