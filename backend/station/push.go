package station

import (
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
		u, err := config.IngestURL(strings.TrimSpace(relay), p.Stream)
		if err != nil {
			return push.Config{}, err
		}
		urls = append(urls, u)
	}
	cfg := push.Config{URL: urls[0], Fallbacks: urls[1:], PublishToken: p.PublishToken, ViewToken: viewToken, CAFile: caFile}
	return cfg, cfg.Validate()
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
		cfg.Links, cfg.Stream = st.d.Links, st.Name // the customers' links to it, under its name of the moment
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
