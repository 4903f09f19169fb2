package protocol

import (
	"net/url"
	"regexp"
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

// PublicSource is a source as a viewer may see it: a URL without its user
// name, password, query and fragment (rtsp://cam.local/live), where cameras
// keep their credentials; anything else (test, camera:0, a file) as it is.
// The operator (the desktop app, a request from this machine) sees the
// source whole; Redact is for log lines.
func PublicSource(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// urlInText finds URLs in a sentence, such as an error that names its
// source.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// PublicText is a sentence (an error, a reason) with every URL in it made
// a PublicSource: fit for viewers.
func PublicText(s string) string {
	return urlInText.ReplaceAllStringFunc(s, PublicSource)
}

// Public is a status event as viewers get it: its source and reason
// without credentials (PublicSource, PublicText).
func (s Status) Public() Status {
	s.Source, s.Reason = PublicSource(s.Source), PublicText(s.Reason)
	return s
}

// Public is a stream's figures as viewers get them from /api/state: its
// source and error without credentials.
func (s Stats) Public() Stats {
	s.Source, s.Error, s.LastRefusal = PublicSource(s.Source), PublicText(s.Error), PublicText(s.LastRefusal)
	return s
}
