package protocol

import "regexp"

// streamName is what a relay stream may be called: it goes into URLs.
var streamName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ValidStreamName reports whether name can name a stream on a relay: 1–64
// letters, digits, '_', '-' or '.', starting with a letter or digit.
func ValidStreamName(name string) bool { return streamName.MatchString(name) }
