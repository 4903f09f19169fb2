package site

import (
	"errors"
	"fmt"
)

// ErrNoStream is a name the site has no stream of.
var ErrNoStream = errors.New("no such stream")

// SetPort moves the server to another port. The new one opens first: if it
// is in use, the error says so and the old one keeps serving. Remote
// viewers are told the streams moved; moved is how many lost the picture.
func (s *Site) SetPort(port int) (moved int, err error) {
	if port < 1 || port > 65535 {
		return 0, fmt.Errorf("port %d: must be from 1 to 65535", port)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Port() == port {
		return 0, nil
	}
	return s.restartLocked(port, s.srv.Load().HTTPS(), "this stream moved to another port: ask for a new link",
		func() { s.port = port })
}

// SetTLS turns HTTPS for viewers on or off. The window's preview, on its
// loopback port, is not affected. Remote viewers are told the streams
// moved; moved is how many lost the picture.
func (s *Site) SetTLS(on bool) (moved int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv.Load().HTTPS() == on {
		return 0, nil
	}
	why := "this stream now uses plain HTTP: ask for a new link"
	if on {
		why = "this stream now uses HTTPS: ask for a new link"
	}
	return s.restartLocked(s.Port(), on, why, func() { s.tlsOn = on })
}

// moveAll tells every stream's remote viewers why they go, and how many.
func (s *Site) moveAll(why string) int {
	n := 0
	for _, st := range s.Stations() {
		n += st.Handler().Move(why)
	}
	return n
}

// restartLocked replaces the server. On a new port the new one opens first,
// so a failure leaves everything as it was; on the same port the old one
// must let go of it first, and comes back as it was if the new one fails.
// The old one's remote viewers are told why they go. s.mu is held.
func (s *Site) restartLocked(port int, tlsOn bool, why string, commit func()) (int, error) {
	old := s.srv.Load()
	samePort := port == portOf(old)
	moved := 0
	if samePort {
		moved = s.moveAll(why)
		old.Close()
	}
	srv, err := s.startServer(port, tlsOn)
	if err != nil {
		if samePort {
			back, berr := s.startServer(port, old.HTTPS())
			if berr != nil {
				// Nothing serves now: say so rather than keep a closed server.
				s.log.Error("the server could not come back on its port", "port", port, "err", berr)
				return moved, fmt.Errorf("%w; and the old server could not come back: %v", err, berr)
			}
			s.srv.Store(back)
		}
		return moved, err
	}
	s.srv.Store(srv)
	s.saveMu.Lock()
	commit()
	s.saveMu.Unlock()
	s.saveList()
	if !samePort {
		moved = s.moveAll(why)
		old.Close()
	}
	s.log.Info("the server moved", "port", port, "https", tlsOn, "viewers disconnected", moved)
	return moved, nil
}
