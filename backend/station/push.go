package station

import (
	"fmt"
	"net/url"
	"strings"

	"framecast/backend/config"
	"framecast/backend/protocol"
	"framecast/backend/push"
)

// pushConfig turns push settings into the pusher's: the relay's base URL
// (ws, wss, http or https) and a stream name make the ingest URL, and the
// stream's own token becomes the view token there, so the relay's link
// opens with the same token as the local one. Several relays of a cluster,
// separated by commas, are tried in turn.
func pushConfig(p config.Push, viewToken, caFile string) (push.Config, error) {
	var urls []string
	for _, relay := range strings.Split(p.Relay, ",") {
		u, err := ingestURL(strings.TrimSpace(relay), p.Stream)
		if err != nil {
			return push.Config{}, err
		}
		urls = append(urls, u)
	}
	cfg := push.Config{URL: urls[0], Fallbacks: urls[1:], PublishToken: p.PublishToken, ViewToken: viewToken, CAFile: caFile}
	return cfg, cfg.Validate()
}

// ingestURL is the stream's ingest URL on the relay at base.
func ingestURL(base, stream string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("relay %q: give its address, e.g. wss://relay.example.com:8188", base)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("relay %q: must start with wss://, ws://, https:// or http://", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ingest/" + url.PathEscape(stream)
	u.RawQuery = ""
	return u.String(), nil
}

// PushFromURL reads serve's --push, a relay's ingest URL such as
// wss://relay.example.com/ingest/line-3, as push settings; several URLs of
// the same stream on relays of a cluster, separated by commas, are tried
// in turn.
func PushFromURL(ingest, publishToken string) (config.Push, error) {
	var bases []string
	stream := ""
	for _, one := range strings.Split(ingest, ",") {
		base, name, err := splitIngest(strings.TrimSpace(one))
		if err != nil {
			return config.Push{}, err
		}
		if stream != "" && name != stream {
			return config.Push{}, fmt.Errorf("%q: every relay must get the same stream name (%q, then %q)", ingest, stream, name)
		}
		stream = name
		bases = append(bases, base)
	}
	p := config.Push{Enabled: true, Relay: strings.Join(bases, ","), Stream: stream, PublishToken: publishToken}
	return p, p.Validate()
}

// splitIngest splits an ingest URL into the relay's base URL and the
// stream name.
func splitIngest(ingest string) (base, stream string, err error) {
	u, err := url.Parse(ingest)
	if err != nil {
		return "", "", fmt.Errorf("%q: %w", ingest, err)
	}
	prefix, name, ok := strings.Cut(u.EscapedPath(), "/ingest/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("%q: give the relay's ingest URL, e.g. wss://relay.example.com:8188/ingest/<stream>", ingest)
	}
	if stream, err = url.PathUnescape(name); err != nil {
		return "", "", fmt.Errorf("%q: %w", ingest, err)
	}
	u.Path, u.RawPath, u.RawQuery = prefix, "", ""
	return u.String(), stream, nil
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
		cfg.Codecs = func() []string { // the engine encodes it while taken, unless JPEG only
			if st.eng.H264() {
				return []string{protocol.CodecH264}
			}
			return nil
		}
		cfg.Steps = st.eng.BitrateSteps()
		if len(st.d.Renditions) > 0 {
			cfg.Renditions = st.eng.Renditions // the relay asks for those its viewers take
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
