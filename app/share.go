package app

import (
	"encoding/base64"
	"fmt"
	"net"

	"framecast/backend/server"

	qrcode "github.com/skip2/go-qrcode"
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
}

func portOf(s *server.Server) int {
	if tcp, ok := s.Addr().(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}

// Share returns the viewer links for each LAN address, with QR codes.
func (a *App) Share() (Share, error) {
	a.mu.Lock()
	srv := a.srv
	a.mu.Unlock()
	sh := Share{Port: portOf(srv), Token: srv.Token(), TLS: srv.HTTPS(), PreviewBase: "http://" + srv.LoopbackAddr().String()}
	for _, u := range srv.ViewerURLs() {
		png, err := qrcode.Encode(u, qrcode.Medium, 256)
		if err != nil {
			return sh, fmt.Errorf("QR code for %s: %w", u, err)
		}
		sh.Links = append(sh.Links, Link{URL: u, QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
	}
	return sh, nil
}

// NewLink replaces the token at once: viewers on the old link are told and
// disconnected, and the window's preview reconnects with the new one.
func (a *App) NewLink() (Share, error) {
	token := server.NewToken()
	a.mu.Lock()
	a.srv.SetToken(token)
	a.settings.Token = token
	a.saveLocked()
	// The relay's link follows: republishing sets the new view token there.
	if err := a.startPushLocked(a.settings.Push); err != nil {
		a.log.Warn("restart push with the new link", "err", err)
	}
	a.mu.Unlock()
	return a.changed()
}

// SetPort moves the server to another port. The new one is opened first: if
// it is in use, the error says so and the old one keeps serving.
func (a *App) SetPort(port int) (Share, error) {
	if port < 1 || port > 65535 {
		sh, _ := a.Share()
		return sh, fmt.Errorf("port %d: must be from 1 to 65535", port)
	}
	a.mu.Lock()
	old := a.srv
	if portOf(old) == port {
		a.mu.Unlock()
		return a.Share()
	}
	return a.restartLocked(port, a.settings.TLS, func() { a.settings.Port = port })
}

// SetTLS turns HTTPS for viewers on or off. It uses a self-signed
// certificate, made once and kept in the config directory, so browsers warn
// until it is trusted. The window's preview is not affected.
func (a *App) SetTLS(on bool) (Share, error) {
	a.mu.Lock()
	if a.srv.HTTPS() == on {
		a.mu.Unlock()
		return a.Share()
	}
	return a.restartLocked(portOf(a.srv), on, func() { a.settings.TLS = on })
}

// restartLocked replaces the server. On a new port the new one opens first,
// so a failure leaves everything as it was; on the same port the old one
// must let go of it first, and comes back as it was if the new one fails.
// a.mu is held, and released.
func (a *App) restartLocked(port int, tlsOn bool, commit func()) (Share, error) {
	old := a.srv
	samePort := port == portOf(old)
	if samePort {
		old.Close()
	}
	srv, err := a.startServer(port, old.Token(), tlsOn)
	if err != nil {
		if samePort {
			if back, berr := a.startServer(port, old.Token(), old.HTTPS()); berr == nil {
				a.srv = back
			}
		}
		a.mu.Unlock()
		sh, _ := a.Share()
		return sh, err
	}
	a.srv = srv
	commit()
	a.saveLocked()
	a.mu.Unlock()
	if !samePort {
		old.Close()
	}
	return a.changed()
}

// changed tells the window the links changed, so the preview reconnects.
func (a *App) changed() (Share, error) {
	sh, err := a.Share()
	if err == nil {
		a.emit("server:changed", sh)
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

// Notices returns what the person should know from start-up: settings that
// were reset, a source or port that fell back.
func (a *App) Notices() ([]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string{}, a.notices...), nil
}
