package config

import (
	"fmt"
	"net/url"
	"strings"
)

// PushFromURL reads a relay's ingest URL (serve's --push, a stream's push:
// in the config file), such as wss://relay.example.com/ingest/line-3, as
// push settings; several URLs of the same stream on relays of a cluster,
// separated by commas, are tried in turn.
func PushFromURL(ingest, publishToken string) (Push, error) {
	relays, stream, err := parseIngest(ingest)
	if err != nil {
		return Push{}, err
	}
	p := Push{Enabled: true, Relay: relays, Stream: stream, PublishToken: publishToken}
	return p, p.Validate()
}

// parseIngest splits ingest URLs into the relays' base URLs, separated by
// commas, and the stream name they share.
func parseIngest(ingest string) (relays, stream string, err error) {
	var bases []string
	for _, one := range strings.Split(ingest, ",") {
		base, name, err := splitIngestURL(strings.TrimSpace(one))
		if err != nil {
			return "", "", err
		}
		if stream != "" && name != stream {
			return "", "", fmt.Errorf("%q: every relay must get the same stream name (%q, then %q)", ingest, stream, name)
		}
		stream = name
		bases = append(bases, base)
	}
	return strings.Join(bases, ","), stream, nil
}

// splitIngestURL splits an ingest URL into the relay's base URL and the
// stream name.
func splitIngestURL(ingest string) (base, stream string, err error) {
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
	if err := checkRelayBase(u.String()); err != nil {
		return "", "", err
	}
	return u.String(), stream, nil
}

// checkRelayURL checks a relay's base address, or several of a cluster
// separated by commas, as the station will turn them into ingest URLs.
func checkRelayURL(relays string) error {
	for _, base := range strings.Split(relays, ",") {
		if err := checkRelayBase(strings.TrimSpace(base)); err != nil {
			return err
		}
	}
	return nil
}

func checkRelayBase(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("relay %q: give its address, e.g. wss://relay.example.com:8188", base)
	}
	switch u.Scheme {
	case "http", "ws", "https", "wss":
		return nil
	}
	return fmt.Errorf("relay %q: must start with wss://, ws://, https:// or http://", base)
}

// pushURL writes p as PushFromURL reads it: each relay's ingest URL of
// p's stream.
func pushURL(p Push) string {
	var urls []string
	for _, base := range strings.Split(p.Relay, ",") {
		urls = append(urls, strings.TrimSuffix(strings.TrimSpace(base), "/")+"/ingest/"+url.PathEscape(p.Stream))
	}
	return strings.Join(urls, ",")
}
