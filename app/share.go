package app

import (
	"fmt"
)

// Link is one viewer URL with its QR code.
type Link struct {
	URL string `json:"url"`
	QR  string `json:"qr"` // a PNG data URL
}

// Share is what the share panel shows.
type Share struct {
	Port  int    `json:"port"`
	Links []Link `json:"links"`
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

// Share returns the viewer links for each LAN address, with QR codes.
func (a *App) Share() (Share, error) {
	sh := Share{Port: a.site.Port(), TLS: a.site.HTTPS()}
	sh.PreviewBase, sh.Token = a.previewAddress()
	for _, u := range a.site.URLs(a.cur().Name()) {
		qr, err := qrDataURL(u)
		if err != nil {
			return sh, err
		}
		sh.Links = append(sh.Links, Link{URL: u, QR: qr})
	}
	return sh, nil
}

// NewLink replaces the token at once: viewers on the old link are told and
// disconnected, and the window's preview reconnects with the new one.
func (a *App) NewLink() (Share, error) {
	a.cur().NewLink()
	return a.changed()
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

// ViewerURLs are a's viewer links now, for the terminal. A function, not a
// method: Wails binds every exported method to the window.
func ViewerURLs(a *App) []string { return a.site.URLs(a.cur().Name()) }
