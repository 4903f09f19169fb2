package relaycli

import (
	"fmt"
	"framecast/backend/httpx"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
)

// banner is what the relay prints at start: where producers push and
// viewers look, at each address it can be reached on. Its secrets (the
// publish token, the legacy stream's tokens) are left out unless print:
// stdout often ends in a log (journald, a container's), which is no place
// for them.
type banner struct {
	addr         *net.TCPAddr
	tls          bool
	publishToken string
	made         bool // the publish token was made up here, not given
	print        bool // print the tokens

	legacy       bool
	legacyStream string
	legacyToken  string // --legacy-token; "": the root is open
	legacyView   string // the view token of the legacy stream's page
}

// write prints the banner. The first line, "Framecast relay on ADDR", is
// what scripts and tests read the address from.
func (b banner) write(w io.Writer) {
	ws, web := "ws", "http"
	if b.tls {
		ws, web = "wss", "https"
	}
	port := strconv.Itoa(b.addr.Port)
	hosts := httpx.Hosts(b.addr)
	for i, h := range hosts {
		hosts[i] = net.JoinHostPort(h, port)
	}
	fmt.Fprintf(w, "Framecast relay on %s\n", b.addr)
	publish := b.secret(b.publishToken, "<publish token>")
	lines := func(label string, link func(host string) string) {
		for i, h := range hosts {
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "  %-18s %s\n", label, link(h))
		}
	}
	lines("producers push to", func(h string) string {
		return ws + "://" + h + "/ingest/<stream>?token=" + publish + "&view=<view token>"
	})
	lines("viewers open", func(h string) string {
		return web + "://" + h + "/s/<stream>/?token=<view token>"
	})
	switch {
	case b.made && b.print:
		fmt.Fprintln(w, "  publish token:     made up for this run, printed above; give your own with --publish-token or $FRAMECAST_PUBLISH_TOKEN to keep it")
	case b.made:
		fmt.Fprintln(w, "  publish token:     made up for this run and not printed (stdout is not a terminal); give one with --publish-token or $FRAMECAST_PUBLISH_TOKEN, or add --print-token")
	case !b.print:
		fmt.Fprintln(w, "  publish token:     the one given (not printed; --print-token prints it)")
	}
	if !b.legacy {
		return
	}
	root := func(h string) string { return ws + "://" + h + "/" }
	if b.legacyToken != "" {
		root = func(h string) string { return ws + "://" + h + "/?token=" + b.secret(b.legacyToken, "<legacy token>") }
	}
	lines("old setup:", func(h string) string {
		return fmt.Sprintf("producer and old pages connect to %s (stream %q)", root(h), b.legacyStream)
	})
	// With the root open (no --legacy-token) anyone who reaches / watches
	// the legacy stream, so the view token of its page guards nothing more
	// and is printed: it is made up for this run, and the operator has no
	// other way to learn it. With --legacy-token it is that secret.
	view := url.QueryEscape(b.legacyView)
	if b.legacyToken != "" {
		view = b.secret(b.legacyView, "<legacy token>")
	}
	lines("", func(h string) string {
		return "Framecast's page: " + web + "://" + h + "/s/" + url.PathEscape(b.legacyStream) + "/?token=" + view
	})
}

// secret is a token as a link carries it, query-escaped, when the banner
// prints tokens; placeholder otherwise.
func (b banner) secret(token, placeholder string) string {
	if !b.print {
		return placeholder
	}
	return url.QueryEscape(token)
}

// isTerminal reports whether f is a terminal, where a person reads what is
// printed, rather than a pipe or a file that a log keeps.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
