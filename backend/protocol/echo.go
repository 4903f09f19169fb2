package protocol

import (
	"strconv"
	"unicode/utf8"
)

// MaxEcho is how many characters of something a client chose (a stream or
// rendition name, a metadata key) an error reply or a log line repeats.
const MaxEcho = 64

// Quote is s quoted as %q quotes it, for an error reply or a log line, cut
// to its first MaxEcho characters with "…" after them when longer: a
// client's 1 MB name costs a reply, a log line and /api/state no more
// than a short one.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= MaxEcho {
		return strconv.Quote(s)
	}
	n, i := 0, 0
	for i = range s {
		if n == MaxEcho {
			break
		}
		n++
	}
	return strconv.Quote(s[:i]) + "…"
}

// Truncate cuts s to at most limit bytes, ending with "…" when cut, without
// splitting a UTF-8 sequence: a bound on a whole message (an error that
// may already hold several echoes) kept for /api/state or sent back.
func Truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:max(cut, 0)] + "…"
}
