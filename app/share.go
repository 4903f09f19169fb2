package app

import (
	"errors"
	"fmt"
)

// Link is one viewer URL with its QR code.
type Link struct {
	URL string `json:"url"`
	QR  string `json:"qr"` // a PNG data URL
}

// Share is what the share panel shows: the selected camera's links, and
// the link to all cameras on one page.
type Share struct {
	// Camera names the selected camera, whose links and preview these are.
	Camera string `json:"camera"`
	Port   int    `json:"port"`
	Links  []Link `json:"links"`
	// Grid are the links to the page of every camera, a tile each, while
	// several run; empty with one.
	Grid []Link `json:"grid"`
	// PreviewBase is where the window's own preview connects: plain HTTP
	// on loopback, even when viewers get HTTPS.
	PreviewBase string `json:"previewBase"`
	Token       string `json:"token"`
	TLS         bool   `json:"tls"` // viewer links are https
	// Moved counts the remote viewers a port or HTTPS change disconnected
	// (their pages say the stream moved); only in SetPort's and SetTLS's
	// answer, so the window tells the operator what that click did.
	Moved int `json:"moved,omitempty"`
}

// Share returns the selected camera's viewer links and those of all
// cameras, for each LAN address, with QR codes.
func (a *App) Share() (Share, error) {
	cur := a.cur()
	sh := Share{Camera: cur.Name(), Port: a.site.Port(), TLS: a.site.HTTPS(), Links: []Link{}, Grid: []Link{}}
	sh.PreviewBase, sh.Token = a.previewOf(cur)
	var err error
	if sh.Links, err = withQR(a.site.URLs(cur.Name())); err != nil {
		return sh, err
	}
	sh.Grid, err = withQR(a.site.GridURLs())
	return sh, err
}

// withQR pairs each URL with its QR code.
func withQR(urls []string) ([]Link, error) {
	links := make([]Link, 0, len(urls))
	for _, u := range urls {
		qr, err := qrDataURL(u)
		if err != nil {
			return links, err
		}
		links = append(links, Link{URL: u, QR: qr})
	}
	return links, nil
}

// NewLink replaces the token of every camera at once, with one new token,
// so the link to all cameras keeps working: viewers on the old links are
// told and disconnected, and the window's preview reconnects with the new
// one.
func (a *App) NewLink() (Share, error) {
	a.listMu.Lock()
	token := a.cur().NewLink()
	var errs []error
	for _, st := range a.site.Stations() {
		errs = append(errs, st.SetToken(token))
	}
	a.listMu.Unlock()
	if err := errors.Join(errs...); err != nil {
		sh, _ := a.listChanged()
		return sh, err
	}
	return a.listChanged()
}

// SetPort moves the server to another port. The new one is opened first: if
// it is in use, the error says so and the old one keeps serving.
func (a *App) SetPort(port int) (Share, error) {
	changing := a.site.Port() != port
	moved, err := a.site.SetPort(port)
	return a.afterRestart(changing, moved, err)
}

// SetTLS turns HTTPS for viewers on or off. It uses a self-signed
// certificate, made once and kept in the config directory, so browsers warn
// until it is trusted. The window's preview is not affected.
func (a *App) SetTLS(on bool) (Share, error) {
	changing := a.site.HTTPS() != on
	moved, err := a.site.SetTLS(on)
	return a.afterRestart(changing, moved, err)
}

// afterRestart answers a port or HTTPS change: the links as they are now,
// the window told when they changed, and how many remote viewers lost the
// picture (their pages say the stream moved and to ask for a new link).
func (a *App) afterRestart(changing bool, moved int, err error) (Share, error) {
	if err != nil || !changing {
		sh, _ := a.Share()
		return sh, err
	}
	sh, err := a.changed()
	sh.Moved = moved
	return sh, err
}

// changed tells the window the links changed, so the preview reconnects.
func (a *App) changed() (Share, error) {
	sh, err := a.Share()
	if err == nil {
		a.emit(EventServerChanged, sh)
	}
	return sh, err
}

// CopyText puts text on the clipboard.
func (a *App) CopyText(text string) error {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt == nil {
		return fmt.Errorf("no window to copy from")
	}
	return rt.CopyText(text)
}

// ViewerURLs are a's viewer links now, for the terminal: the page of all
// cameras while several run, then each camera's. A function, not a method:
// Wails binds every exported method to the window.
func ViewerURLs(a *App) []string {
	urls := a.site.GridURLs()
	for _, st := range a.site.Stations() {
		urls = append(urls, a.site.URLs(st.Name())...)
	}
	return urls
}
