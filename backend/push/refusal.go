package push

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// refusal is a relay's answer that retrying will not change: a 400, 401 or
// 403, or a certificate this side does not trust.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }
func (r refusal) Unwrap() error { return r.err }

// dialError says why the relay could not be reached or refused the push,
// as a refusal when retrying will not change it.
func dialError(err error, resp *http.Response) error {
	if resp != nil {
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			return refusal{errors.New("the relay refused the publish token (401): check it with the relay's operator")}
		case http.StatusForbidden:
			return refusal{fmt.Errorf("the relay forbids this push (403)%s", reason(resp))}
		case http.StatusBadRequest:
			return refusal{fmt.Errorf("the relay refused the request (400)%s", reason(resp))}
		case http.StatusConflict:
			return errors.New("another producer is pushing this stream name with another link (409); retrying until it stops")
		}
		return fmt.Errorf("connect: the relay answered %s%s", resp.Status, reason(resp))
	}
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknown):
		return refusal{fmt.Errorf("connect: the relay's certificate is not from a CA trusted here; a relay on a private CA needs its CA certificate (--ca-file): %w", err)}
	case errors.As(err, &hostname):
		return refusal{fmt.Errorf("connect: the relay's certificate is for another name: %w", err)}
	case errors.As(err, &invalid), errors.As(err, &verify):
		return refusal{fmt.Errorf("connect: the relay's certificate is not valid: %w", err)}
	}
	return fmt.Errorf("connect: %w", err)
}

// maxReason bounds what of a relay's refusal is repeated in the status and
// the log.
const maxReason = 200

// reason is the relay's explanation of a refused handshake, from the start
// of its body (gorilla keeps up to 1 KiB of it), as ": why", or "".
func reason(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxReason))
	why := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(strings.ToValidUTF8(string(b), "")))
	if why == "" {
		return ""
	}
	return ": " + why
}
