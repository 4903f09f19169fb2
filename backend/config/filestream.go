package config

import (
	"gopkg.in/yaml.v3"

	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/vision"
)

// streamKeys are the keys of one stream, in the order SaveFile writes them.
var streamKeys = []string{"source", "process", "quality", "width", "height", "fps", "codec", "bitrate", "renditions", "push", "record", "token", "publish_token", "enabled"}

// settingChecks check each of a stream's settings alone, against the
// defaults, so that engine.Settings.Validate's words for it are told on
// its own line.
var settingChecks = []struct {
	key  string
	copy func(dst *engine.Settings, src engine.Settings)
}{
	{"source", func(d *engine.Settings, s engine.Settings) { d.Source = s.Source }},
	{"process", func(d *engine.Settings, s engine.Settings) { d.Process = s.Process }},
	{"quality", func(d *engine.Settings, s engine.Settings) { d.Quality = s.Quality }},
	{"width", func(d *engine.Settings, s engine.Settings) { d.MaxWidth = s.MaxWidth }},
	{"height", func(d *engine.Settings, s engine.Settings) { d.MaxHeight = s.MaxHeight }},
	{"fps", func(d *engine.Settings, s engine.Settings) { d.FPS = s.FPS }},
	{"codec", func(d *engine.Settings, s engine.Settings) { d.Codec = s.Codec }},
	{"bitrate", func(d *engine.Settings, s engine.Settings) { d.Bitrate = s.Bitrate }},
}

// streams reads the streams: map, in the file's order; relay and rec are
// the file's relay: and record: sections.
func (p *fileParser) streams(kv pair, relay FileRelay, rec Recording) []FileStream {
	entries := p.mapping(kv.v, "streams")
	if len(entries) > MaxStreams {
		p.failf(kv.key, "streams", "%d streams: at most %d", len(entries), MaxStreams)
		return nil
	}
	if len(entries) == 0 && (isNull(kv.v) || kv.v.Kind == yaml.MappingNode && kv.v.Anchor == "" && len(kv.v.Content) == 0) {
		p.failf(kv.key, "streams", "give at least one stream: its name, then its source and settings below it")
	}
	out := make([]FileStream, 0, len(entries))
	for _, e := range entries {
		out = append(out, p.stream(e, relay, rec))
	}
	return out
}

// stream reads one entry of streams:. What it leaves out is
// engine.DefaultSettings', protocol.DefaultRenditions for renditions, and
// recorded when rec has a dir.
func (p *fileParser) stream(e pair, relay FileRelay, rec Recording) FileStream {
	s := FileStream{Name: e.name, Stream: engine.DefaultSettings(), Renditions: protocol.DefaultRenditions(), Record: rec.Dir != "", Line: e.key.Line}
	path := "streams." + quoteKey(e.name)
	if !protocol.ValidStreamName(e.name) {
		p.failf(e.key, "streams."+protocol.Quote(e.name), "not a stream name: %s", protocol.StreamNameRule)
	}
	before := len(p.errs)
	set := map[string]*yaml.Node{} // the settings given, by key, that read well
	var push *yaml.Node
	for _, kv := range p.mapping(e.v, path) {
		kp := path + "." + kv.name
		if isNull(kv.v) {
			continue // key: with no value keeps the default
		}
		ok := false
		switch kv.name {
		case "source":
			s.Stream.Source, ok = p.str(kv.v, kp)
		case "process":
			var text string
			if text, ok = p.str(kv.v, kp); ok {
				items, err := vision.ParseChain(text)
				if ok = err == nil; ok {
					s.Stream.Process = items
				} else {
					p.fail(kv.v, kp, err)
				}
			}
		case "quality":
			s.Stream.Quality, ok = p.integer(kv.v, kp)
		case "width":
			s.Stream.MaxWidth, ok = p.integer(kv.v, kp)
		case "height":
			s.Stream.MaxHeight, ok = p.integer(kv.v, kp)
		case "fps":
			s.Stream.FPS, ok = p.integer(kv.v, kp)
		case "codec":
			ok = p.parsed(kv.v, kp, func(text string) (err error) { s.Stream.Codec, err = ParseCodec(text); return err })
		case "bitrate":
			ok = p.parsed(kv.v, kp, func(text string) (err error) { s.Stream.Bitrate, err = ParseBitrate(text); return err })
		case "renditions":
			p.parsed(kv.v, kp, func(text string) (err error) { s.Renditions, err = parseRenditions(text); return err })
		case "push":
			push = kv.v
		case "record":
			if on, ok := p.boolean(kv.v, kp); ok {
				if on && rec.Dir == "" {
					p.failf(kv.v, kp, "true needs record.dir, the folder recordings go to")
				}
				s.Record = on
			}
		case "token":
			s.Token = p.token(kv.v, kp)
		case "publish_token":
			s.PublishToken = p.token(kv.v, kp)
		case "enabled":
			s.Stream.Enabled, _ = p.boolean(kv.v, kp)
		default:
			p.unknown(kv, path, streamKeys)
		}
		if ok {
			set[kv.name] = kv.key
		}
	}
	for _, c := range settingChecks {
		if n := set[c.key]; n != nil {
			probe := engine.DefaultSettings()
			c.copy(&probe, s.Stream)
			if err := probe.Validate(); err != nil {
				p.fail(n, path, err)
			}
		}
	}
	if err := s.Stream.Validate(); err != nil && len(p.errs) == before {
		p.fail(e.key, path, err) // a rule of two settings together
	}
	if s.Stream.Source == "ingest" && s.PublishToken == "" && len(p.errs) == before {
		p.failf(e.key, path, "source ingest needs publish_token, the token its producer gives (16 to 256 characters)")
	}
	if push != nil {
		s.Push = p.push(push, path+".push", e.name, relay)
	}
	return s
}

// parsed reads a text and hands it to parse, reporting parse's error.
func (p *fileParser) parsed(n *yaml.Node, path string, parse func(string) error) bool {
	text, ok := p.str(n, path)
	if !ok {
		return false
	}
	if err := parse(text); err != nil {
		p.fail(n, path, err)
		return false
	}
	return true
}

// parseRenditions reads renditions:, where "none" is no smaller copies
// (empty, not nil: nil is "not given").
func parseRenditions(text string) ([]protocol.Rendition, error) {
	r, err := protocol.ParseRenditions(text)
	if err == nil && r == nil {
		r = []protocol.Rendition{}
	}
	return r, err
}

// push reads a stream's push: true (to relay.url under the stream's name),
// false, or a relay's ingest URL; both push with relay.publish_token.
func (p *fileParser) push(n *yaml.Node, path, name string, relay FileRelay) Push {
	var pp Push
	if !p.plain(n, path) {
		return Push{}
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!bool":
		on, _ := p.boolean(n, path)
		if !on {
			return Push{}
		}
		if relay.URL == "" {
			p.failf(n, path, "true pushes to relay.url under the stream's name: set relay.url, or give an ingest URL here")
			return Push{}
		}
		pp = Push{Enabled: true, Relay: relay.URL, Stream: name, PublishToken: relay.PublishToken}
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		relays, stream, err := parseIngest(n.Value)
		if err != nil {
			p.fail(n, path, err)
			return Push{}
		}
		pp = Push{Enabled: true, Relay: relays, Stream: stream, PublishToken: relay.PublishToken}
	default:
		p.failf(n, path, "%s: write true, false, or a relay's ingest URL such as wss://relay.example.com/ingest/%s", quoteNode(n), name)
		return Push{}
	}
	switch {
	case relay.PublishToken == "":
		p.failf(n, path, "pushing needs relay.publish_token, the relay's publish token (the relay operator gives it)")
	case protocol.CheckToken(relay.PublishToken) != nil:
		// told at relay.publish_token
	default:
		if err := pp.Validate(); err != nil {
			p.fail(n, path, err)
		}
	}
	return pp
}
