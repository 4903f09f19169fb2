package protocol

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Per-customer links on a relay (control.go has the other messages): the
// producer offers its links that open the stream, by the SHA-256 of their
// tokens, never the tokens; the relay admits viewers with them, counts
// them per link in ViewerCount.Links, and sends back the record of every
// connection made with one when it ends (AuditRecords).

// Types of the links' control messages ("type").
const (
	// TypeLinks is LinksOffer (producer → relay).
	TypeLinks = "links"
	// TypeAudit is AuditRecords (relay → producer).
	TypeAudit = "audit"
)

// Bounds of the links' messages.
const (
	// MaxLinkOffers bounds the links of one LinksOffer, and the links a
	// ViewerCount counts (the links package's MaxLinks).
	MaxLinkOffers = 256
	// MaxLinkName bounds a link's name in bytes (the links package's
	// MaxNameLen).
	MaxLinkName = 64
	// MaxAuditRecords bounds the records of one AuditRecords.
	MaxAuditRecords = 64
	// maxAuditField bounds each text of an audit record (an address, a
	// stream, a codec, a reason).
	maxAuditField = 256
)

// LinkOffer is one link as a producer tells its relay: its name, the hex
// SHA-256 of its token (64 characters), when it expires (RFC 3339; ""
// never) and its viewer cap on that relay (0 none).
type LinkOffer struct {
	Name       string `json:"name"`
	Hash       string `json:"hash"`
	ExpiresAt  string `json:"expires_at,omitempty"`
	MaxViewers int    `json:"max_viewers,omitempty"`
}

// NewLinkOffer offers a link by its token's hash.
func NewLinkOffer(name string, hash [32]byte, expires time.Time, maxViewers int) LinkOffer {
	o := LinkOffer{Name: name, Hash: hex.EncodeToString(hash[:]), MaxViewers: maxViewers}
	if !expires.IsZero() {
		o.ExpiresAt = expires.UTC().Format(time.RFC3339Nano)
	}
	return o
}

// Parse checks the offer's hash and expiry and reads them (zero time:
// never). The name and cap are the links package's to check.
func (o LinkOffer) Parse() (hash [32]byte, expires time.Time, err error) {
	b, err := hex.DecodeString(o.Hash)
	if err != nil || len(b) != len(hash) {
		return hash, expires, fmt.Errorf("link %s: hash must be 64 hex characters (the SHA-256 of its token)", Quote(o.Name))
	}
	copy(hash[:], b)
	if o.ExpiresAt != "" {
		if expires, err = time.Parse(time.RFC3339, o.ExpiresAt); err != nil {
			return hash, expires, fmt.Errorf("link %s: expires_at %s is not an RFC 3339 time", Quote(o.Name), Quote(o.ExpiresAt))
		}
	}
	return hash, expires, nil
}

// LinksOffer goes from producer to relay: every link of the producer that
// opens the stream, sent once connected and again whenever they change.
// It replaces what the relay had: a link left out is revoked there, and
// its viewers are cut off. An empty list ([], never null) revokes them
// all. A relay that does not know the type refuses it (a Refusal, the
// connection carries on: RefusesLinks), and its viewers need the stream's
// own token.
type LinksOffer struct {
	Type  string      `json:"type"` // TypeLinks
	Links []LinkOffer `json:"links"`
}

// NewLinksOffer offers links.
func NewLinksOffer(links []LinkOffer) LinksOffer {
	if links == nil {
		links = []LinkOffer{}
	}
	return LinksOffer{Type: TypeLinks, Links: links}
}

// AuditRecord is one viewer's connection through a relay, made with a link
// (Link its name) or the stream's own token (Link ""), sent once it ended.
type AuditRecord struct {
	Link      string    `json:"link"`
	Stream    string    `json:"stream"`
	Addr      string    `json:"addr"`
	Kind      string    `json:"kind"`
	Codec     string    `json:"codec,omitempty"`
	Rendition string    `json:"rendition,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Bytes     uint64    `json:"bytes"`
	// Reason is why the relay ended it ("revoked", "expired", …); "" the
	// viewer left.
	Reason string `json:"reason,omitempty"`
}

// AuditRecords goes from relay to producer: connections that ended on the
// relay (on any relay of a cluster), at most MaxAuditRecords a message,
// oldest first. The producer keeps them in its audit.
type AuditRecords struct {
	Type    string        `json:"type"` // TypeAudit
	Records []AuditRecord `json:"records"`
}

// NewAuditRecords sends records.
func NewAuditRecords(records []AuditRecord) AuditRecords {
	if records == nil {
		records = []AuditRecord{}
	}
	return AuditRecords{Type: TypeAudit, Records: records}
}

func (AuditRecords) relayMessage() {}

// check bounds what a relay may send: it comes from another machine.
func (m AuditRecords) check() error {
	if len(m.Records) > MaxAuditRecords {
		return fmt.Errorf("audit: %d records, at most %d a message", len(m.Records), MaxAuditRecords)
	}
	for _, r := range m.Records {
		if len(r.Link) > MaxLinkName {
			return errors.New("audit: a link name over 64 bytes")
		}
		for _, f := range []string{r.Stream, r.Addr, r.Kind, r.Codec, r.Rendition, r.Reason} {
			if len(f) > maxAuditField {
				return fmt.Errorf("audit: a field over %d bytes", maxAuditField)
			}
		}
	}
	return nil
}

// checkLinks bounds a ViewerCount's counts per link.
func (m ViewerCount) checkLinks() error {
	if len(m.Links) > MaxLinkOffers {
		return fmt.Errorf("viewers: %d links, at most %d", len(m.Links), MaxLinkOffers)
	}
	for name, n := range m.Links {
		if len(name) > MaxLinkName || n < 0 {
			return fmt.Errorf("viewers: link %s counts %d", Quote(name), n)
		}
	}
	return nil
}

// oldControlRefusal is how relays from before links refuse any control
// message but a RenditionsOffer.
const oldControlRefusal = `a control message must be {"type":"renditions","renditions":[…]}`

// RefusesLinks reports whether a Refusal's reason is a relay's that does
// not take links (one from before them): the producer stops offering them
// there.
func RefusesLinks(why string) bool { return why == oldControlRefusal }
