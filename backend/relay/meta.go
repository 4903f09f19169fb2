package relay

import (
	"encoding/json"
	"fmt"

	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// metaHeader is the header's view of the stream's metadata.
func metaHeader(ms []hub.Meta) (map[string]string, map[string]uint64) {
	if len(ms) == 0 {
		return nil, nil
	}
	meta, seq := make(map[string]string, len(ms)), make(map[string]uint64, len(ms))
	for _, m := range ms {
		meta[m.Key], seq[m.Key] = m.Value, m.After
	}
	return meta, seq
}

// metaBudget is how much of a frame header metadata may take: the rest
// (seq, ts, size, detections of an old-style picture: none) fits in 1 KiB.
const metaBudget = protocol.MaxHeaderSize - 1<<10

// publishMeta records producer p's "key=sq=value" as belonging to the
// picture it last sent, within the limits on keys and header size.
func (s *Stream) publishMeta(p *publisher, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.publisher != p {
		return errNotProducer
	}
	cur := s.hub.Meta()
	next := make([]hub.Meta, 0, len(cur)+1)
	for _, m := range cur {
		if m.Key != key {
			next = append(next, m)
		}
	}
	if len(next) >= protocol.MaxMetaKeys {
		return fmt.Errorf("metadata key %s refused: the stream has %d keys already, the limit", protocol.Quote(key), protocol.MaxMetaKeys)
	}
	m := hub.Meta{Key: key, Value: value, After: s.lastSeq}
	meta, seq := metaHeader(append(next, m))
	b, err := json.Marshal(protocol.Header{Meta: meta, MetaSeq: seq})
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	if len(b) > metaBudget {
		return fmt.Errorf("metadata key %s refused: with it, a frame header would take %d bytes, over the limit of %d", protocol.Quote(key), len(b), metaBudget)
	}
	s.hub.PublishMeta(m)
	return nil
}
