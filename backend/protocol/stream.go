package protocol

import (
	"regexp"
	"strings"
)

// streamName is what a relay stream may be called: it goes into URLs, and
// in a cluster into NATS subjects and key-value keys.
var streamName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// StreamNameRule says in words what ValidStreamName accepts, for error
// replies and documentation.
const StreamNameRule = "stream names are 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit, with no '.' at the end or two in a row"

// ValidStreamName reports whether name can name a stream on a relay: 1–64
// letters, digits, '_', '-' or '.', starting with a letter or digit, not
// ending with '.' and with no ".." in it. It is the one rule every relay
// checks, alone or in a cluster, before a producer's upgrade: each '.'
// splits a NATS subject into tokens, and NATS refuses an empty token (a
// name ending in '.' or holding ".."), so a name it accepts works on
// every relay of a cluster too.
func ValidStreamName(name string) bool {
	return streamName.MatchString(name) && !strings.HasSuffix(name, ".") && !strings.Contains(name, "..")
}
