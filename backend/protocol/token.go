package protocol

import "fmt"

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
