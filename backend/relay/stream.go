package relay

import (
	"sync"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/ingest"
	"framecast/backend/meter"
	"framecast/backend/protocol"
	"framecast/backend/server"
)

// Stream is one relayed stream: a hub its viewers watch, fed by whichever
// producer publishes under its name. Viewers stay when producers change.
type Stream struct {
	Name    string
	hub     *hub.Hub
	handler *server.Handler
	frames  meter.Meter

	mu        sync.Mutex
	publisher *publisher        // the producer now; guarded by mu
	meta      map[string]string // old-style metadata for the frames that follow; guarded by mu
	seq       uint64            // numbers old-style frames; guarded by mu
	last      engine.Stats      // guarded by mu
}

func newStream(name, viewToken string, d server.Deps) *Stream {
	s := &Stream{Name: name, hub: hub.New()}
	d.Hub, d.Stream = s.hub, s
	s.handler = server.NewHandler(name, viewToken, d)
	s.hub.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: name, Reason: "waiting for the producer"})
	return s
}

func (s *Stream) setViewToken(token string) {
	if s.handler.Token() != token {
		s.handler.SetToken(token)
	}
}

// Stats is the stream's state for /api/state.
func (s *Stream) Stats() engine.Stats {
	s.mu.Lock()
	st := s.last
	s.mu.Unlock()
	st.Source = "relay:" + s.Name
	st.State = s.hub.Status().State
	st.Enabled = true
	st.CaptureFPS = s.frames.Rate(time.Now())
	st.OutputFPS = st.CaptureFPS
	return st
}

// attach makes p the producer, replacing (and disconnecting) the old one.
func (s *Stream) attach(p *publisher) {
	s.mu.Lock()
	old := s.publisher
	s.publisher = p
	s.meta = nil
	s.mu.Unlock()
	if old != nil {
		old.kick("replaced by a new publisher")
	}
	s.hub.SetStatus(protocol.Status{State: protocol.StateLive, Source: s.Name})
}

// detach forgets p if it is still the producer: viewers see NO SIGNAL.
func (s *Stream) detach(p *publisher, reason string) {
	s.mu.Lock()
	current := s.publisher == p
	if current {
		s.publisher = nil
	}
	s.mu.Unlock()
	if current {
		s.hub.SetStatus(protocol.Status{State: protocol.StateNoSignal, Source: s.Name, Reason: reason})
	}
}

// publish passes a producer's message on to every viewer.
func (s *Stream) publish(m ingest.Message) error {
	s.mu.Lock()
	if !m.Frame {
		if s.meta == nil {
			s.meta = map[string]string{}
		}
		s.meta[m.Key] = m.Value
		s.mu.Unlock()
		return nil
	}
	h := m.Header
	if h.Seq == 0 { // an old-style picture: number and time it here
		s.seq++
		h.Seq, h.TS = s.seq, time.Now().UnixMicro()
	}
	if h.W == 0 || h.H == 0 {
		h.W, h.H = jpegSize(m.JPEG)
	}
	if len(s.meta) > 0 {
		h.Meta = make(map[string]string, len(s.meta))
		for k, v := range s.meta {
			h.Meta[k] = v
		}
	}
	s.last.Width, s.last.Height, s.last.FrameBytes = h.W, h.H, len(m.JPEG)
	s.mu.Unlock()
	f, err := hub.NewFrame(h, m.JPEG)
	if err != nil {
		return err
	}
	s.frames.Tick(time.Now())
	s.hub.Publish(f)
	return nil
}

// idle reports whether the stream has neither a producer nor viewers.
func (s *Stream) idle() bool {
	s.mu.Lock()
	p := s.publisher
	s.mu.Unlock()
	return p == nil && s.hub.Count() == 0
}

func (s *Stream) close(reason string) {
	s.mu.Lock()
	p := s.publisher
	s.mu.Unlock()
	if p != nil {
		p.kick(reason)
	}
	s.handler.Close(reason)
}
