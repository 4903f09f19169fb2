package push

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"framecast/backend/links"
	"framecast/backend/protocol"
)

// Config says where to push.
type Config struct {
	URL string // ws(s)://relay/ingest/{stream}
	// Fallbacks are the same stream's ingest URLs on other relays of a
	// cluster: when the relay in use cannot be reached, the next is tried
	// at once, and only after all of them the push backs off.
	Fallbacks    []string
	PublishToken string // the relay's publish token
	ViewToken    string // the token viewers will use on the relay
	// Renditions gives the local stream's renditions (its own size first),
	// offered to the relay, which asks for the smaller ones its viewers
	// take; nil: one size.
	Renditions func() []protocol.Rendition
	// Codecs gives what the local stream encodes besides JPEG, such as
	// [protocol.CodecH264], offered to the relay, which asks for the ones
	// its viewers take (and for JPEG only while some take it); nil: JPEG
	// alone.
	Codecs func() []string
	// Steps says the local stream also encodes each H.264 rendition at a
	// lower bitrate when taken (engine.BitrateSteps), offered to the relay
	// for its viewers on slow links.
	Steps bool
	// Links are the site's per-customer links: those that open Stream
	// (the local stream's name now: a renamed stream keeps its links) are
	// offered to the relay, by their tokens' hashes, and the relay's counts
	// and records of their viewers come back to it. nil: no links, the
	// relay admits the view token alone.
	Links  *links.Book
	Stream func() string
	// CAFile is a PEM file of the CA that signed a wss:// relay's
	// certificate (--ca-file), for a relay on a private CA. When set, it is
	// the only CA trusted for the relay, instead of the system's; empty,
	// the system's CAs are.
	CAFile string
}

// Validate checks the config in words a person can act on.
func (c Config) Validate() error {
	for i, f := range c.Fallbacks {
		if i >= maxFallbacks {
			return fmt.Errorf("relays: at most %d", maxFallbacks+1)
		}
		other := c
		other.URL, other.Fallbacks = f, nil
		if err := other.Validate(); err != nil {
			return err
		}
	}
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return fmt.Errorf("relay URL %q: %w", c.URL, err)
	case u.Scheme != "ws" && u.Scheme != "wss":
		return fmt.Errorf("relay URL %q: must start with ws:// or wss://", c.URL)
	case !strings.HasPrefix(u.Path, "/ingest/") || len(u.Path) == len("/ingest/"):
		return fmt.Errorf("relay URL %q: must end in /ingest/<stream name>", c.URL)
	case c.PublishToken == "":
		return errors.New("publish token: missing")
	case protocol.CheckToken(c.PublishToken) != nil:
		return fmt.Errorf("publish token: %w", protocol.CheckToken(c.PublishToken))
	case protocol.CheckToken(c.ViewToken) != nil:
		return fmt.Errorf("view token: %w", protocol.CheckToken(c.ViewToken))
	case c.CAFile != "" && u.Scheme != "wss":
		return fmt.Errorf("CA file %s: only a wss:// relay has a certificate to check; %q is not one", c.CAFile, c.URL)
	}
	return nil
}

// maxFallbacks bounds the other relays a push may try.
const maxFallbacks = 8

// relays is every ingest URL, in the order they are tried.
func (c Config) relays() []string { return append([]string{c.URL}, c.Fallbacks...) }

// ViewerURL is the link viewers open on the relay.
func (c Config) ViewerURL() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	u.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	u.Path = "/s/" + strings.TrimPrefix(u.Path, "/ingest/") + "/"
	u.RawQuery = url.Values{"token": {c.ViewToken}}.Encode()
	return u.String()
}
