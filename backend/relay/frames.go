package relay

import (
	"errors"
	"fmt"
	"time"

	"framecast/backend/hub"
	"framecast/backend/ingest"
	"framecast/backend/protocol"
	"framecast/backend/server"
)

// A stream's frames: a producer's, checked and passed on to its viewers
// (publish), and in a cluster those of the relay that holds the producer
// (publishRemote, cluster_renditions.go).

// publish passes producer p's message on to every viewer. legacyText is the
// old-style picture message as received (nil for binary frames), which
// old-style viewers then get unchanged.
func (s *Stream) publish(p *publisher, m ingest.Message, legacyText []byte) error {
	if !m.Frame {
		return s.publishMeta(p, m.Key, m.Value)
	}
	now := time.Now()
	h := m.Header
	if len(h.Meta) > protocol.MaxMetaKeys {
		return fmt.Errorf("frame header has %d meta keys, over the limit of %d", len(h.Meta), protocol.MaxMetaKeys)
	}
	// A Framecast producer's frame is already what viewers get: it is
	// passed on as it came, unless the relay has something to add.
	asIs := m.Wire != nil
	if h.Seq == 0 { // an old-style picture: number and time it here
		s.mu.Lock()
		s.seq++
		h.Seq, h.TS = s.seq, now.UnixMicro()
		s.mu.Unlock()
		asIs = false
	}
	if h.Rendition != "" && !s.offers(h.Rendition) {
		return fmt.Errorf("frame of rendition %s refused: the producer has not offered it (send {\"type\":\"renditions\",…} first)", protocol.Quote(h.Rendition))
	}
	if h.Step != "" && !s.BitrateSteps() {
		return errors.New(`frame of a lower bitrate step refused: the producer has not offered steps (send {"type":"renditions","codecs":["h264"],"steps":true} first)`)
	}
	if h.Codec != "" && !s.offersCodec(h.Codec) {
		return fmt.Errorf("frame in %s refused: the producer has not offered it (send {\"type\":\"renditions\",\"codecs\":[\"h264\"]} first)", protocol.Quote(h.Codec))
	}
	if h.W == 0 || h.H == 0 {
		if h.Codec != "" {
			return errors.New(`an H.264 frame's header must give its size ("w", "h")`)
		}
		h.W, h.H = jpegSize(m.Data)
		asIs = false
	}
	if len(h.Meta) == 0 {
		if h.Meta, h.MetaSeq = metaHeader(s.hub.Meta()); h.Meta != nil {
			asIs = false
		}
	}
	var f *hub.Frame
	var err error
	if asIs {
		f = hub.FrameFromMessage(h, m.Wire, len(m.Data))
	} else {
		f, err = hub.NewFrame(h, m.Data)
	}
	if err != nil {
		return err
	}
	if legacyText != nil {
		server.SetLegacyText(f, legacyText)
	}
	f.Rendition = hub.HeaderKey(h)
	if s.bus != nil && len(f.Message) > s.bus.MaxPayload() {
		return fmt.Errorf("frame of %d bytes refused: relays in this cluster pass on at most %d (the NATS server's max_payload); lower the quality or the size", len(f.Message), s.bus.MaxPayload())
	}
	s.mu.Lock()
	if s.publisher != p {
		s.mu.Unlock()
		return errNotProducer
	}
	recoded := s.toldByFrameLocked()
	capture := s.countLocked(h, len(m.Data))
	s.mu.Unlock()
	if recoded {
		s.hub.RenditionsChanged() // its H.264 viewers take JPEG
	}
	if capture {
		s.out.Tick(now)
	}
	s.pass(f, now)
	// Each rendition on its own subject, and only while another relay's
	// viewers take it: no relay receives frames nobody there watches.
	if s.link != nil && s.link.remoteTakes(f.Rendition) {
		_ = s.bus.Publish(FramesKind(f.Rendition), s.Name, f.Message)
	}
	return nil
}

// countLocked counts frame h of size bytes in the stream's figures: each
// capture (one seq, whatever renditions and codecs carry it) once, and the
// stream's size and frame size from its own size's frames. It reports
// whether h began a capture; s.mu is held.
func (s *Stream) countLocked(h protocol.Header, size int) bool {
	capture := h.Seq != s.lastSeq
	if capture {
		s.lastSeq, s.received = h.Seq, s.received+1
	}
	if h.Rendition == "" {
		s.width, s.height, s.bytes = h.W, h.H, size
	}
	return capture
}

// pass offers f to the stream's viewers; an H.264 keyframe answers every
// keyframe request of its key made before it (hub.KeyMade).
func (s *Stream) pass(f *hub.Frame, now time.Time) {
	if f.Keyframe() && hub.IsInterKey(f.Rendition) {
		s.hub.KeyMade(f.Rendition, now)
	}
	s.hub.Publish(f)
}
