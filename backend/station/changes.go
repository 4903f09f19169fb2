package station

import (
	"fmt"

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
	st.saveLocked()
	return st.eng.Settings(), nil
}

// NewLink replaces the token at once: viewers on the old link are told and
// disconnected, and the relay's link follows (the push republishes with
// the new view token). It returns the new token.
func (st *Station) NewLink() string {
	token := protocol.NewToken()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.srv.Load().SetToken(token)
	st.settings.Token = token
	st.saveLocked()
	if err := st.startPushLocked(st.settings.Push); err != nil {
		st.log.Warn("restart push with the new link", "err", err)
	}
	return token
}

// SetPort moves the server to another port. The new one opens first: if it
// is in use, the error says so and the old one keeps serving. Remote viewers
// are told the stream moved; moved is how many lost the picture.
func (st *Station) SetPort(port int) (moved int, err error) {
	if port < 1 || port > 65535 {
		return 0, fmt.Errorf("port %d: must be from 1 to 65535", port)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.Port() == port {
		return 0, nil
	}
	return st.restartLocked(port, st.srv.Load().HTTPS(), "this stream moved to another port: ask for a new link",
		func() { st.settings.Port = port })
}

// SetTLS turns HTTPS for viewers on or off. The window's preview, on its
// loopback port, is not affected. Remote viewers are told the stream moved;
// moved is how many lost the picture.
func (st *Station) SetTLS(on bool) (moved int, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.srv.Load().HTTPS() == on {
		return 0, nil
	}
	why := "this stream now uses plain HTTP: ask for a new link"
	if on {
		why = "this stream now uses HTTPS: ask for a new link"
	}
	return st.restartLocked(st.Port(), on, why, func() { st.settings.TLS = on })
}

// restartLocked replaces the server. On a new port the new one opens first,
// so a failure leaves everything as it was; on the same port the old one
// must let go of it first, and comes back as it was if the new one fails.
// The old one's remote viewers are told why they go. st.mu is held.
func (st *Station) restartLocked(port int, tlsOn bool, why string, commit func()) (int, error) {
	old := st.srv.Load()
	samePort := port == portOf(old)
	moved := 0
	if samePort {
		moved = old.Move(why)
		old.Close()
	}
	srv, err := st.startServer(port, old.Token(), tlsOn)
	if err != nil {
		if samePort {
			back, berr := st.startServer(port, old.Token(), old.HTTPS())
			if berr != nil {
				// Nothing serves now: say so rather than keep a closed server.
				st.log.Error("the server could not come back on its port", "port", port, "err", berr)
				return moved, fmt.Errorf("%w; and the old server could not come back: %v", err, berr)
			}
			st.srv.Store(back)
		}
		return moved, err
	}
	st.srv.Store(srv)
	commit()
	st.saveLocked()
	if !samePort {
		moved = old.Move(why)
		old.Close()
	}
	st.log.Info("the server moved", "port", port, "https", tlsOn, "viewers disconnected", moved)
	return moved, nil
}
