package station

import (
	"fmt"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// Update applies a change to the stream settings and saves it. The engine
// refuses bad ones with a reason, and then nothing changes: not the stream,
// not the file. Only the change is applied to the saved settings: after a
// fallback (a saved camera missing at start), changing the quality must not
// replace the saved camera with the test pattern.
func (st *Station) Update(change func(*engine.Settings)) (engine.Settings, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.eng.Settings()
	change(&s)
	if err := st.eng.Update(s); err != nil {
		return st.eng.Settings(), err
	}
	change(&st.settings.Stream)
	st.followSourceLocked()
	st.saveLocked()
	return st.eng.Settings(), nil
}

// NewLink replaces the token at once: viewers on the old link are told and
// disconnected, and the relay's link follows (the push republishes with
// the new view token). It returns the new token.
func (st *Station) NewLink() string {
	token := protocol.NewToken()
	_ = st.SetToken(token) // a new token always holds to the rule
	return token
}

// Rename gives the stream a new name: its address becomes /s/<name>/.
// Viewers at the old address are told the stream moved and disconnected;
// the relay's copy, which has a name of its own (config.Push.Stream), is
// not touched. The caller (the site) checks the name is free.
func (st *Station) Rename(name string) error {
	if !protocol.ValidStreamName(name) {
		return fmt.Errorf("stream name %s: %s", protocol.Quote(name), protocol.StreamNameRule)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	old := st.handler.Load()
	if old.Name() == name {
		return nil
	}
	if st.d.Store != nil {
		// The recordings follow the stream, the running recorder's next
		// segments too.
		if err := st.d.Store.Rename(old.Name(), name); err != nil {
			return fmt.Errorf("rename the recordings: %w", err)
		}
	}
	st.handler.Store(st.newHandler(name, old.Token()))
	st.settings.Name = name
	st.saveLocked()
	old.Move("this stream was renamed: ask for a new link")
	old.Close("this stream was renamed: ask for a new link")
	st.log = st.d.Log.With("component", "station", "stream", name)
	return nil
}

// SetToken makes token the stream's viewer token at once: viewers on the
// old link are told and disconnected, and the relay's link follows.
func (st *Station) SetToken(token string) error {
	if err := protocol.CheckToken(token); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.handler.Load().Token() == token {
		return nil
	}
	st.handler.Load().SetToken(token)
	st.settings.Token = token
	st.saveLocked()
	if err := st.startPushLocked(st.settings.Push); err != nil {
		st.log.Warn("restart push with the new link", "err", err)
	}
	return nil
}

// SetRenditions replaces the smaller copies offered to viewers on slow
// links: nil is protocol.DefaultRenditions(), empty is none. Viewers of a
// copy no longer offered move to the nearest; nobody is disconnected.
func (st *Station) SetRenditions(r []protocol.Rendition) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.eng.SetRenditions(config.OfferedRenditions(r))
	st.settings.Renditions = r
	st.saveLocked()
}
