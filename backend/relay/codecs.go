package relay

import (
	"fmt"
	"slices"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// Codecs on a relay: a producer that offers H.264 (RenditionsOffer's
// codecs) is asked for exactly the renditions and codecs viewers take, JPEG
// among them only while some take it (JPEG viewers, MJPEG, snapshots, the
// old page); its H.264 frames are checked (ingest) and passed on as they
// came, and viewers' keyframe requests are passed on to it (keyframes.go).
// A producer that offers none sends JPEG, and viewers asking for H.264 get
// JPEG, as their hello says.

// maxCodecs bounds the codecs an offer may name.
const maxCodecs = 8

// checkCodecs keeps the codecs of an offer this relay passes on (H.264),
// skipping ones a later producer may name; more than maxCodecs is refused.
func checkCodecs(codecs []string) ([]string, error) {
	if len(codecs) > maxCodecs {
		return nil, fmt.Errorf("codecs: at most %d", maxCodecs)
	}
	var out []string
	for _, c := range codecs {
		if c == protocol.CodecH264 && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// makesH264 reports whether viewers asking for H.264 get it: while the
// producer (in a cluster, the holder's) offers it, and until a producer
// says otherwise, so a viewer who came first waits for H.264 rather than
// keeping JPEG once it comes. A producer that sends a frame without
// having offered codecs (one from before H.264, the old setup) makes none:
// its viewers are moved to JPEG (hub.RenditionsChanged).
func (s *Stream) makesH264() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.codecs, protocol.CodecH264)
}

// offersCodec reports whether this producer offered codec (besides JPEG).
func (s *Stream) offersCodec(codec string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.told && slices.Contains(s.codecs, codec)
}

// toldByFrameLocked records that the producer said nothing of codecs before its
// first frame: it makes JPEG alone. s.mu is held; it reports whether that
// changed what the stream makes.
func (s *Stream) toldByFrameLocked() bool {
	if s.told {
		return false
	}
	s.told = true
	changed := s.codecs != nil
	s.codecs = nil
	return changed
}

// BitrateSteps reports whether the producer makes lower bitrate steps of
// its H.264 renditions (RenditionsOffer.Steps): the relay's H.264 viewers
// on slow links then step to those before a smaller size, as on serve.
func (s *Stream) BitrateSteps() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.told && s.steps && slices.Contains(s.codecs, protocol.CodecH264)
}

// offersKey reports whether the producer is asked for hub key: a smaller
// rendition it offers, in JPEG or in a codec it offers; and, to a producer
// that takes exact lists, the own size in JPEG ("") or another codec, and
// a lower bitrate step where it offers them.
func (s *Stream) offersKey(key string, exact bool) bool {
	name, codec := hub.SplitKey(key)
	switch {
	case codec != protocol.CodecJPEG && (!exact || !s.makesH264() || codec != protocol.CodecH264):
		return false
	case hub.IsLow(key) && !s.BitrateSteps():
		return false
	case name == "":
		return exact
	}
	return s.offers(name)
}

// validKey reports whether key is a hub key a relay passes frames of: a
// rendition ("" or named like "360p") in JPEG, or in H.264 at its bitrate
// or its lower step.
func validKey(key string) bool {
	name, codec := hub.SplitKey(key)
	h264 := hub.CodecKey(name, protocol.CodecH264)
	return (name == "" || validRenditionName(name)) &&
		(codec == protocol.CodecJPEG && key == name || codec == protocol.CodecH264 && (key == h264 || key == hub.LowKey(h264)))
}
