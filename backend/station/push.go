package station

import (
	"fmt"
	"net/url"
	"strings"

	"framecast/backend/config"
	"framecast/backend/push"
)

// pushConfig turns push settings into the pusher's: the relay's base URL
// (ws, wss, http or https) and a stream name make the ingest URL, and the
// stream's own token becomes the view token there, so the relay's link
// opens with the same token as the local one.
func pushConfig(p config.Push, viewToken, caFile string) (push.Config, error) {
	u, err := url.Parse(strings.TrimSpace(p.Relay))
	if err != nil || u.Host == "" {
		return push.Config{}, fmt.Errorf("relay %q: give its address, e.g. wss://relay.example.com:8188", p.Relay)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return push.Config{}, fmt.Errorf("relay %q: must start with wss://, ws://, https:// or http://", p.Relay)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ingest/" + url.PathEscape(p.Stream)
	u.RawQuery = ""
	cfg := push.Config{URL: u.String(), PublishToken: p.PublishToken, ViewToken: viewToken, CAFile: caFile}
	return cfg, cfg.Validate()
}

// PushFromURL reads serve's --push, a relay's ingest URL such as
// wss://relay.example.com/ingest/line-3, as push settings.
func PushFromURL(ingest, publishToken string) (config.Push, error) {
	u, err := url.Parse(strings.TrimSpace(ingest))
	if err != nil {
		return config.Push{}, fmt.Errorf("%q: %w", ingest, err)
	}
	base, name, ok := strings.Cut(u.EscapedPath(), "/ingest/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return config.Push{}, fmt.Errorf("%q: give the relay's ingest URL, e.g. wss://relay.example.com:8188/ingest/<stream>", ingest)
	}
	stream, err := url.PathUnescape(name)
	if err != nil {
		return config.Push{}, fmt.Errorf("%q: %w", ingest, err)
	}
	u.Path, u.RawPath, u.RawQuery = base, "", ""
	p := config.Push{Enabled: true, Relay: u.String(), Stream: stream, PublishToken: publishToken}
	return p, p.Validate()
}

// startPushLocked pushes as p says. The new pusher starts before the old
// one stops, so a push that cannot start leaves the running one as it was.
// st.mu is held.
func (st *Station) startPushLocked(p config.Push) error {
	var next *push.Pusher
	if p.Enabled {
		if err := p.Validate(); err != nil {
			return err
		}
		cfg, err := pushConfig(p, st.settings.Token, st.d.CAFile)
		if err != nil {
			return err
		}
		if next, err = push.New(cfg, st.hub, st.d.Log); err != nil {
			return err
		}
	}
	if old := st.pusher.Swap(next); old != nil {
		old.Close()
	}
	return nil
}

// SetPush applies new push settings: the relay's address, the stream name,
// its publish token, and on/off. Settings that cannot work are refused with
// the reason, and the push that was running keeps running.
func (st *Station) SetPush(p config.Push) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := p.Validate(); err != nil {
		return err
	}
	if err := st.startPushLocked(p); err != nil {
		return err
	}
	st.settings.Push = p
	st.pushSettings.Store(&p)
	st.saveLocked()
	return nil
}

// Push returns the push settings and the connection's state ("stopped"
// while not pushing).
func (st *Station) Push() (config.Push, push.Status) {
	p := *st.pushSettings.Load()
	if pusher := st.pusher.Load(); pusher != nil {
		return p, pusher.Status()
	}
	return p, push.Status{State: "stopped"}
}

// Pushing reports whether a push is running.
func (st *Station) Pushing() bool { return st.pusher.Load() != nil }
