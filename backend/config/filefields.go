package config

import (
	"fmt"
	"reflect"
	"strconv"

	"gopkg.in/yaml.v3"

	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// field is one key of a stream as SaveFile writes it.
type field struct {
	key string
	v   *yaml.Node
	def bool // the value is the default: a new stream leaves the key out
}

// streamFields writes s's settings as the file holds them, one field each
// of streamKeys in its order. Two settings that read the same write the
// same, so comparing what two streams write finds what changed. relay is
// the file's relay: section, which push: true stands for; record is what
// a stream that leaves record: out does.
func streamFields(s FileStream, relay FileRelay, record bool) ([]field, error) {
	d := engine.DefaultSettings()
	st := s.Stream
	codec := st.Codec
	if codec == "" {
		codec = engine.CodecAuto
	}
	bitrate := "auto"
	if st.Bitrate != 0 {
		bitrate = formatBitrate(st.Bitrate)
	}
	renditions := OfferedRenditions(s.Renditions)
	push, err := pushNode(s, relay)
	if err != nil {
		return nil, err
	}
	return []field{
		{"source", strNode(st.Source), st.Source == d.Source},
		{"process", strNode(vision.FormatChain(st.Process)), len(st.Process) == 0},
		{"quality", intNode(st.Quality), st.Quality == d.Quality},
		{"width", intNode(st.MaxWidth), st.MaxWidth == d.MaxWidth},
		{"height", intNode(st.MaxHeight), st.MaxHeight == d.MaxHeight},
		{"fps", intNode(st.FPS), st.FPS == d.FPS},
		{"codec", strNode(codec), codec == engine.CodecAuto},
		{"bitrate", strNode(bitrate), st.Bitrate == 0},
		{"renditions", strNode(protocol.FormatRenditions(renditions)), reflect.DeepEqual(renditions, protocol.DefaultRenditions())},
		{"push", push, !s.Push.Enabled},
		{"record", boolNode(s.Record), s.Record == record},
		{"token", strNode(s.Token), s.Token == ""},
		{"publish_token", strNode(s.PublishToken), s.PublishToken == ""},
		{"enabled", boolNode(st.Enabled), st.Enabled == d.Enabled},
	}, nil
}

// pushNode writes a stream's push: true when it pushes to relay.url under
// its own name, else the ingest URL; the file has one publish token, the
// relay's.
func pushNode(s FileStream, relay FileRelay) (*yaml.Node, error) {
	p := s.Push
	switch {
	case !p.Enabled:
		return boolNode(false), nil
	case p.PublishToken != relay.PublishToken:
		return nil, fmt.Errorf("stream %s pushes with a publish token other than the file's relay.publish_token, which a config file cannot hold", s.Name)
	case p.Relay == relay.URL && p.Stream == s.Name:
		return boolNode(true), nil
	}
	return strNode(pushURL(p)), nil
}

// formatBitrate writes bits a second as ParseBitrate reads them back
// exactly: 2M, 800k or 1234567.
func formatBitrate(bps int) string {
	switch {
	case bps%1_000_000 == 0:
		return strconv.Itoa(bps/1_000_000) + "M"
	case bps%1000 == 0:
		return strconv.Itoa(bps/1000) + "k"
	}
	return strconv.Itoa(bps)
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func intNode(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}

func boolNode(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
}
