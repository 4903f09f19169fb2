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
