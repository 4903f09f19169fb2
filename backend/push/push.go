// Package push sends a local stream to a relay, so viewers beyond the LAN
// can watch it. The connection is outbound only; it reconnects with backoff
// when the relay goes away, and it never holds up the local viewers: it
// takes frames from its own newest-wins mailbox, like any viewer, and skips
// what it cannot send in time.
package push

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"framecast/backend/backoff"
	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Timing of the retries; the connection's own (write wait, pings) is the
// protocol's, and the backoff between failures backoff's default.
const (
	// RefusedRetry spaces the attempts after every relay refused the push
	// for a reason that will not pass on its own (a wrong publish token, a
	// certificate not trusted here, a bad name): the operator must act, and
	// hammering the relay helps nobody, but a relay fixed meanwhile is
	// still found.
	RefusedRetry = 30 * time.Second
	// workedFor is how long a connection must have lasted for the next
	// failure to be retried quickly again, as a new one.
	workedFor = 5 * time.Second
)

// Status is the push connection's state, for the window and the log.
type Status struct {
	// State is "connecting", "connected", "retrying" (after a failure
	// that may pass), "refused" (every relay refused the push for a reason
	// that will not pass on its own, see Error; tried again every 30 s) or
	// "stopped".
	State     string `json:"state"`
	Error     string `json:"error,omitempty"`
	Sent      uint64 `json:"sent"`
	Viewers   int    `json:"viewers"` // watching on the relay, as it last said
	ViewerURL string `json:"viewerUrl"`
}

// Pusher pushes one hub's frames to a relay until Close.
type Pusher struct {
	cfg    Config
	hub    *hub.Hub
	log    *slog.Logger
	dialer *websocket.Dialer // checks the relay's certificate against cfg.CAFile's CA, or the system's

	mu     sync.Mutex
	status Status // guarded by mu

	cancel context.CancelFunc
	done   chan struct{} // closed when the push goroutine has returned
}

// New starts pushing h's frames as cfg says.
func New(cfg Config, h *hub.Hub, log *slog.Logger) (*Pusher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dialer, err := newDialer(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pusher{cfg: cfg, hub: h, dialer: dialer, log: log.With("component", "push", "relay", protocol.Redact(cfg.URL)),
		status: Status{State: "connecting", ViewerURL: cfg.ViewerURL()}, cancel: cancel, done: make(chan struct{})}
	go p.run(ctx)
	return p, nil
}

// Close stops pushing and waits for it.
func (p *Pusher) Close() {
	p.cancel()
	<-p.done
}

// Status returns the connection's state.
func (p *Pusher) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

func (p *Pusher) set(state string, err error) {
	p.mu.Lock()
	p.status.State, p.status.Error = state, ""
	if err != nil {
		p.status.Error = err.Error()
	}
	p.mu.Unlock()
}

func (p *Pusher) run(ctx context.Context) {
	defer close(p.done)
	retry := backoff.NewDefault()
	relays := p.cfg.relays()
	allRefused := true // every relay of this round refused the push
	for i := 0; ; i = (i + 1) % len(relays) {
		start := time.Now()
		err := p.session(ctx, relays[i])
		if ctx.Err() != nil {
			p.set("stopped", nil)
			return
		}
		if time.Since(start) > workedFor {
			retry.Reset() // it had been working: retry quickly
		}
		allRefused = allRefused && errors.As(err, new(refusal))
		if i+1 < len(relays) {
			// Another relay of the cluster may take the stream now.
			p.set("retrying", err)
			p.log.Warn("relay connection lost; trying the next relay", "err", err, "next", protocol.Redact(relays[i+1]))
			continue
		}
		var wait time.Duration
		if allRefused {
			wait = RefusedRetry
			p.set("refused", err)
			p.log.Error("the relay refused the push; trying again later", "err", err, "in", wait)
		} else {
			wait = retry.Next()
			p.set("retrying", err)
			p.log.Warn("relay connection lost; retrying", "err", err, "in", wait.Round(time.Millisecond))
		}
		allRefused = true
		select {
		case <-ctx.Done():
			p.set("stopped", nil)
			return
		case <-time.After(wait):
		}
	}
}

// connected records that the push now goes to the relay at ingest.
func (p *Pusher) connected(ingest string) {
	cfg := p.cfg
	cfg.URL = ingest
	p.mu.Lock()
	p.status.ViewerURL = cfg.ViewerURL()
	p.status.State, p.status.Error = "connected", ""
	p.mu.Unlock()
	p.log.Info("pushing to the relay", "to", protocol.Redact(ingest), "viewers", protocol.Redact(cfg.ViewerURL())) // the link without its token
}

// heard records how many watch on the relay, as it said.
func (p *Pusher) heard(viewers int) {
	p.mu.Lock()
	p.status.Viewers = viewers
	p.mu.Unlock()
}

// sent counts a frame of the stream's own size sent.
func (p *Pusher) sent() {
	p.mu.Lock()
	p.status.Sent++
	p.mu.Unlock()
}
