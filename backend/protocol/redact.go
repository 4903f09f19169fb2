package protocol

import (
	"net/url"
	"strings"
)

// Redact makes a URL fit for a log line: its query (where Framecast's
// tokens travel, and many cameras' too) and any password are replaced.
// Anything that is not a URL with a scheme, such as a file path, is
// returned as it is.
func Redact(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	if u.RawQuery != "" {
		u.RawQuery = "redacted"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "redacted")
	}
	return u.String()
}
