// Package links is a site's per-customer links: each a name, a random
// token known by its hash, the streams it opens, an optional expiry and
// viewer cap, and whether it may read recordings. A Book owns them and the
// sessions opened with them: it admits tokens (in constant time), counts
// each link's viewers, cuts them off when their link is revoked or
// expires, and hands every session's record to the audit (audit.go).
//
// The producer's Book holds the tokens (serve, the desktop app); a relay's
// holds only their hashes, as its producer tells it (Set). No gocv, no
// cgo: the relay uses it.
package links

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"framecast/backend/protocol"
)

// Bounds of a Book.
const (
	// MaxNameLen bounds a link's name, in bytes of UTF-8.
	MaxNameLen = 64
	// MaxPerStream bounds the links that open one stream (a link for
	// every stream counts for each).
	MaxPerStream = 100
	// MaxLinks bounds the links of a Book.
	MaxLinks = 256
	// MaxViewersCap bounds a link's viewer cap.
	MaxViewersCap = 10000
	// MaxExpiresIn bounds how far ahead a link may expire.
	MaxExpiresIn = 10 * 365 * 24 * time.Hour
	// keepExpired: an expired link stays listed (and its page says it
	// expired) this long, then it is forgotten.
	keepExpired = 7 * 24 * time.Hour
	// keepRevoked: a revoked link's hash is kept this long, so its page
	// says it was revoked; at most maxRevoked of them.
	keepRevoked = 24 * time.Hour
	maxRevoked  = 64
)

// Link is one customer's link.
type Link struct {
	Name string `json:"name"`
	// Token is the link's secret; "" where only its hash is known (a
	// relay).
	Token string `json:"token,omitempty"`
	// Hash is the SHA-256 of Token.
	Hash [32]byte `json:"-"`
	// Streams are the streams it opens; empty: every stream.
	Streams []string `json:"streams,omitempty"`
	// Expires is when it stops opening anything; zero: never.
	Expires time.Time `json:"expires_at,omitzero"`
	// MaxViewers bounds its viewers at once where they connect; 0: no cap.
	MaxViewers int `json:"max_viewers,omitempty"`
	// Recordings: it may read the recordings of its streams.
	Recordings bool      `json:"recordings,omitempty"`
	Created    time.Time `json:"created,omitzero"`
}

// Opens reports whether the link opens stream.
func (l *Link) Opens(stream string) bool {
	if len(l.Streams) == 0 {
		return true
	}
	for _, s := range l.Streams {
		if s == stream {
			return true
		}
	}
	return false
}

// Expired reports whether the link has expired at now.
func (l *Link) Expired(now time.Time) bool { return !l.Expires.IsZero() && !now.Before(l.Expires) }

// Spec is what the operator asks for a new link.
type Spec struct {
	Name string `json:"name"`
	// Streams it opens; empty: every stream.
	Streams []string `json:"streams,omitempty"`
	// ExpiresIn is a duration from now ("24h", "7d"); ExpiresAt an RFC
	// 3339 time. At most one of them; neither: it never expires.
	ExpiresIn  string `json:"expires_in,omitempty"`
	ExpiresAt  string `json:"expires_at,omitempty"`
	MaxViewers int    `json:"max_viewers,omitempty"`
	Recordings bool   `json:"recordings,omitempty"`
	// Token is the link's token; "": a new random one (128 bits).
	Token string `json:"token,omitempty"`
}

// Errors a Book's changes return; the messages are for the operator.
var (
	ErrNoLink = errors.New("no link of that name")
	ErrExists = errors.New("a link of that name exists")
	// ErrTooMany: the links, or a stream's, are at their bound.
	ErrTooMany = errors.New("too many links")
	ErrFull    = errors.New("the link's viewer cap is reached")
	ErrClosed  = errors.New("the links are closed")
)

// tooMany is an ErrTooMany that says which bound.
type tooMany string

func (e tooMany) Error() string        { return string(e) }
func (e tooMany) Is(target error) bool { return target == ErrTooMany }

// CheckName is the rule for a link's name: 1 to MaxNameLen bytes of
// UTF-8, printable, no leading or trailing space. It is shown on pages,
// in the desktop app and the audit (escaped there), and is a path segment
// of the admin API (/api/links/<name>, escaped).
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("a link needs a name (such as the customer's)")
	case len(name) > MaxNameLen:
		return fmt.Errorf("the name is %d bytes: at most %d", len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return errors.New("the name is not UTF-8")
	case strings.TrimSpace(name) != name:
		return errors.New("the name starts or ends with a space")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("the name has a control or invisible character (%U)", r)
		}
	}
	return nil
}

// ParseExpiry turns a Spec's ExpiresIn or ExpiresAt into a time; zero:
// never. ExpiresIn takes Go durations and whole days ("7d").
func ParseExpiry(in, at string, now time.Time) (time.Time, error) {
	switch {
	case in != "" && at != "":
		return time.Time{}, errors.New("give expires_in or expires_at, not both")
	case in != "":
		d, err := parseDuration(in)
		if err != nil {
			return time.Time{}, fmt.Errorf("expires_in %s: %w", protocol.Quote(in), err)
		}
		if d <= 0 || d > MaxExpiresIn {
			return time.Time{}, fmt.Errorf("expires_in %s: must be more than 0 and at most 10 years", protocol.Quote(in))
		}
		return now.Add(d).Truncate(time.Second), nil
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return time.Time{}, fmt.Errorf("expires_at %s: not an RFC 3339 time such as 2027-01-31T18:00:00Z", protocol.Quote(at))
		}
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("expires_at %s is not in the future", protocol.Quote(at))
		}
		if t.Sub(now) > MaxExpiresIn {
			return time.Time{}, fmt.Errorf("expires_at %s is more than 10 years ahead", protocol.Quote(at))
		}
		return t, nil
	}
	return time.Time{}, nil
}

func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && !strings.ContainsAny(days, "hmsµun.") {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || fmt.Sprint(n) != days {
			return 0, errors.New("not a duration such as 30m, 24h or 7d")
		}
		if n > 3660 {
			return 0, errors.New("more than 10 years")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a duration such as 30m, 24h or 7d")
	}
	return d, nil
}

// check says what is wrong with a link as a Book would hold it.
func (l *Link) check() error {
	if err := CheckName(l.Name); err != nil {
		return err
	}
	if l.Token != "" {
		if err := protocol.CheckToken(l.Token); err != nil {
			return fmt.Errorf("link %s: token %w", protocol.Quote(l.Name), err)
		}
	}
	if l.MaxViewers < 0 || l.MaxViewers > MaxViewersCap {
		return fmt.Errorf("link %s: max_viewers must be 0 (no cap) to %d", protocol.Quote(l.Name), MaxViewersCap)
	}
	if len(l.Streams) > 64 {
		return fmt.Errorf("link %s: at most 64 streams", protocol.Quote(l.Name))
	}
	for _, s := range l.Streams {
		if s == "" || len(s) > 64 {
			return fmt.Errorf("link %s: a stream name of 1 to 64 characters", protocol.Quote(l.Name))
		}
	}
	return nil
}
