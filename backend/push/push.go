// Package push sends a local stream to a relay, so viewers beyond the LAN
// can watch it. The connection is outbound only; it reconnects with backoff
// when the relay goes away, and it never holds up the local viewers: it
// takes frames from its own newest-wins mailbox, like any viewer, and skips
// what it cannot send in time.
package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"framecast/backend/backoff"
	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Timing of the relay connection.
const (
	writeWait  = 10 * time.Second
	pingPeriod = 20 * time.Second
	retryFirst = 500 * time.Millisecond
	retryMax   = 10 * time.Second
	// RefusedRetry spaces the attempts after every relay refused the push
	// for a reason that will not pass on its own (a wrong publish token, a
	// certificate not trusted here, a bad name): the operator must act, and
	// hammering the relay helps nobody, but a relay fixed meanwhile is
	// still found.
	RefusedRetry = 30 * time.Second
)

// Config says where to push.
type Config struct {
	URL string // ws(s)://relay/ingest/{stream}
	// Fallbacks are the same stream's ingest URLs on other relays of a
	// cluster: when the relay in use cannot be reached, the next is tried
	// at once, and only after all of them the push backs off.
	Fallbacks    []string
	PublishToken string // the relay's publish token
	ViewToken    string // the token viewers will use on the relay
	// Renditions gives the local stream's renditions (its own size first),
	// offered to the relay, which asks for the smaller ones its viewers
	// take; nil: one size.
	Renditions func() []protocol.Rendition
	// CAFile is a PEM file of the CA that signed a wss:// relay's
	// certificate (--ca-file), for a relay on a private CA. When set, it is
	// the only CA trusted for the relay, instead of the system's; empty,
	// the system's CAs are.
	CAFile string
}

// Validate checks the config in words a person can act on.
func (c Config) Validate() error {
	for i, f := range c.Fallbacks {
		if i >= maxFallbacks {
			return fmt.Errorf("relays: at most %d", maxFallbacks+1)
		}
		other := c
		other.URL, other.Fallbacks = f, nil
		if err := other.Validate(); err != nil {
			return err
		}
	}
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return fmt.Errorf("relay URL %q: %w", c.URL, err)
	case u.Scheme != "ws" && u.Scheme != "wss":
		return fmt.Errorf("relay URL %q: must start with ws:// or wss://", c.URL)
	case !strings.HasPrefix(u.Path, "/ingest/") || len(u.Path) == len("/ingest/"):
		return fmt.Errorf("relay URL %q: must end in /ingest/<stream name>", c.URL)
	case c.PublishToken == "":
		return errors.New("publish token: missing")
	case protocol.CheckToken(c.PublishToken) != nil:
		return fmt.Errorf("publish token: %w", protocol.CheckToken(c.PublishToken))
	case protocol.CheckToken(c.ViewToken) != nil:
		return fmt.Errorf("view token: %w", protocol.CheckToken(c.ViewToken))
	case c.CAFile != "" && u.Scheme != "wss":
		return fmt.Errorf("CA file %s: only a wss:// relay has a certificate to check; %q is not one", c.CAFile, c.URL)
	}
	return nil
}

// maxFallbacks bounds the other relays a push may try.
const maxFallbacks = 8

// relays is every ingest URL, in the order they are tried.
func (c Config) relays() []string { return append([]string{c.URL}, c.Fallbacks...) }

// ViewerURL is the link viewers open on the relay.
func (c Config) ViewerURL() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	u.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	u.Path = "/s/" + strings.TrimPrefix(u.Path, "/ingest/") + "/"
	u.RawQuery = url.Values{"token": {c.ViewToken}}.Encode()
	return u.String()
}

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
	retry := backoff.New(retryFirst, retryMax)
	relays := p.cfg.relays()
	allRefused := true // every relay of this round refused the push
	for i := 0; ; i = (i + 1) % len(relays) {
		start := time.Now()
		err := p.session(ctx, relays[i])
		if ctx.Err() != nil {
			p.set("stopped", nil)
			return
		}
		if time.Since(start) > 5*time.Second {
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

// session connects once to the relay at ingest and pushes until the
// connection fails.
func (p *Pusher) session(ctx context.Context, ingest string) error {
	cfg := p.cfg
	cfg.URL = ingest
	u, _ := url.Parse(ingest)
	q := u.Query()
	q.Set("token", p.cfg.PublishToken)
	q.Set("view", p.cfg.ViewToken)
	u.RawQuery = q.Encode()
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, resp, err := p.dialer.DialContext(dialCtx, u.String(), nil)
	cancel()
	if err != nil {
		return dialError(err, resp)
	}
	defer conn.Close()
	p.mu.Lock()
	p.status.ViewerURL = cfg.ViewerURL()
	p.mu.Unlock()
	p.set("connected", nil)
	p.log.Info("pushing to the relay", "to", protocol.Redact(ingest), "viewers", protocol.Redact(cfg.ViewerURL())) // the link without its token

	// The relay says how many watch there; with nobody, the push takes no
	// frames, so local capture can stop when nobody watches here either.
	// Until it says, assume somebody does.
	var sub *hub.Subscriber
	defer func() {
		if sub != nil {
			p.hub.Unsubscribe(sub)
		}
	}()
	demand := func(watching bool) {
		switch {
		case watching && sub == nil:
			sub = p.hub.Subscribe("push", protocol.Redact(p.cfg.URL), "")
		case !watching && sub != nil:
			p.hub.Unsubscribe(sub)
			sub = nil
		}
	}
	demand(true)
	// The ladder changes with the local source or max size: the relay is
	// told again, so its viewers of a rendition no longer made are moved
	// (the engine's RenditionsChanged also wakes sub).
	epoch := p.hub.RenditionsEpoch()
	offered := p.ladder()
	if offered != nil {
		if err := offer(conn, offered); err != nil {
			return err
		}
	}
	more := newExtras(p.hub, protocol.Redact(p.cfg.URL))
	defer more.closeAll()
	readErr := make(chan error, 1)
	viewers := make(chan int, 1)
	wants := make(chan []string, 1)
	go func() {
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			var m struct {
				Type  string
				Error string
				Count int
				Want  []string
			}
			if json.Unmarshal(msg, &m) != nil {
				continue
			}
			switch {
			case m.Error != "":
				p.log.Warn("the relay refused a frame", "err", m.Error)
			case m.Type == "viewers":
				select { // keep only the newest count
				case <-viewers:
				default:
				}
				viewers <- m.Count
			case m.Type == "renditions":
				select { // keep only the newest list
				case <-wants:
				default:
				}
				wants <- m.Want
			}
		}
	}()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		if e := p.hub.RenditionsEpoch(); e != epoch {
			epoch = e
			if ladder := p.ladder(); !slices.Equal(ladder, offered) {
				offered = ladder
				if err := offer(conn, ladder); err != nil {
					return err
				}
			}
		}
		var wake <-chan struct{}
		if sub != nil {
			wake = sub.Wake()
		}
		select {
		case <-ctx.Done():
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseGoingAway, "producer stopping"), time.Now().Add(time.Second))
			return ctx.Err()
		case err := <-readErr:
			return fmt.Errorf("relay closed the connection: %w", err)
		case w := <-wants:
			more.want(w)
		case <-more.wake:
			for _, f := range more.frames() {
				if err := p.send(conn, f); err != nil {
					return err
				}
			}
		case n := <-viewers:
			demand(n > 0)
			p.mu.Lock()
			p.status.Viewers = n
			p.mu.Unlock()
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return err
			}
		case <-wake:
			f := sub.TakeFrame()
			if f == nil {
				continue
			}
			if err := p.send(conn, f); err != nil {
				return err
			}
			sub.Delivered(time.Now(), len(f.Data))
			p.mu.Lock()
			p.status.Sent++
			p.mu.Unlock()
		}
	}
}

// send writes one frame to the relay: its binary message as it is (gorilla
// masks it, as a client must, into its own buffer: there is one connection
// to share it, so nothing is gained by preparing it).
func (p *Pusher) send(conn *websocket.Conn, f *hub.Frame) error {
	_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := conn.WriteMessage(websocket.BinaryMessage, f.Message); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}
