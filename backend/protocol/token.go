package protocol

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// Token lengths: every token, view, publish or legacy, given on a command
// line, saved in the settings, typed in the desktop app or chosen by a
// producer for its viewers, is held to one rule, CheckToken.
const (
	// MinTokenLen keeps a token from being guessed: 16 characters of
	// base64 are 96 bits.
	MinTokenLen = 16
	// MaxTokenLen bounds every token: tokens are compared by hash, so a
	// long one would make every request that gives one cost its hashing.
	MaxTokenLen = 256
)

// CheckToken is the one rule for a token: MinTokenLen to MaxTokenLen
// printable ASCII characters, with no spaces (a token travels in URLs and
// on command lines, where a space or a control character would cut or
// change it). The error says what is wrong, never the token itself.
func CheckToken(token string) error {
	if len(token) < MinTokenLen || len(token) > MaxTokenLen {
		return fmt.Errorf("must be %d to %d characters, not %d (for example: openssl rand -base64 24)", MinTokenLen, MaxTokenLen, len(token))
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("character %d is a space, a control character or not ASCII: use letters, digits and punctuation", i+1)
		}
	}
	return nil
}

// NewToken returns a random URL-safe token of 128 bits.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// Why a request with a token was refused, in the RefusedHeader of its
// 401 (or 429), so the viewer page can say what is true.
const (
	// RefusedHeader names the header that says why.
	RefusedHeader = "X-Framecast-Refused"
	// RefusedToken: the token is missing or wrong; retrying cannot help.
	RefusedToken = "token"
	// RefusedReplaced: the token was this stream's until a new link
	// replaced it (the desktop's "New link").
	RefusedReplaced = "replaced"
	// RefusedNotYet: on a relay, no stream is live at this link, or its
	// token is wrong; the two look the same so stream names cannot be
	// found out, and the stream may start later, so the page keeps trying.
	RefusedNotYet = "not-yet"
	// RefusedRevoked: the token was a customer link's until the operator
	// revoked it.
	RefusedRevoked = "revoked"
	// RefusedExpired: the token is a customer link's that expired.
	RefusedExpired = "expired"
)

// HashToken is the SHA-256 of a token, as a stream table keeps it.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// MatchesHash reports in constant time whether got hashes to hash.
func MatchesHash(got string, hash [32]byte) bool {
	if len(got) > MaxTokenLen {
		return false // no token is this long: spare the hashing
	}
	h := HashToken(got)
	return subtle.ConstantTimeCompare(h[:], hash[:]) == 1
}

// EqualTokens compares a token given with the expected one in constant
// time; hashing first makes the time independent of the lengths too.
func EqualTokens(got, want string) bool {
	if len(got) > MaxTokenLen {
		return false // no token is this long: spare the hashing
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
