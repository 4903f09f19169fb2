package config

import (
	"fmt"
	"net/url"
	"strings"
)

// IngestURL is the stream's ingest URL on the relay at base.
func IngestURL(base, stream string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("relay %q: give its address, e.g. wss://relay.example.com:8188", base)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("relay %q: must start with wss://, ws://, https:// or http://", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ingest/" + url.PathEscape(stream)
	u.RawQuery = ""
	return u.String(), nil
}

// PushFromURL reads serve's --push, a relay's ingest URL such as
// wss://relay.example.com/ingest/line-3, as push settings; several URLs of
// the same stream on relays of a cluster, separated by commas, are tried
// in turn.
func PushFromURL(ingest, publishToken string) (Push, error) {
	var bases []string
	stream := ""
	for _, one := range strings.Split(ingest, ",") {
		base, name, err := splitIngest(strings.TrimSpace(one))
		if err != nil {
			return Push{}, err
		}
		if stream != "" && name != stream {
			return Push{}, fmt.Errorf("%q: every relay must get the same stream name (%q, then %q)", ingest, stream, name)
		}
		stream = name
		bases = append(bases, base)
	}
	p := Push{Enabled: true, Relay: strings.Join(bases, ","), Stream: stream, PublishToken: publishToken}
	return p, p.Validate()
}

// splitIngest splits an ingest URL into the relay's base URL and the
// stream name.
func splitIngest(ingest string) (base, stream string, err error) {
	u, err := url.Parse(ingest)
	if err != nil {
		return "", "", fmt.Errorf("%q: %w", ingest, err)
	}
	prefix, name, ok := strings.Cut(u.EscapedPath(), "/ingest/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("%q: give the relay's ingest URL, e.g. wss://relay.example.com:8188/ingest/<stream>", ingest)
	}
	if stream, err = url.PathUnescape(name); err != nil {
		return "", "", fmt.Errorf("%q: %w", ingest, err)
	}
	u.Path, u.RawPath, u.RawQuery = prefix, "", ""
	return u.String(), stream, nil
}
