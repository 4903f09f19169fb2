package app

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"framecast/backend/config"
	"framecast/backend/push"

	qrcode "github.com/skip2/go-qrcode"
)

// PushInfo is what the "Share over the internet" panel shows.
type PushInfo struct {
	config.Push
	push.Status
	QR string `json:"qr,omitempty"` // PNG data URL of the public viewer link
}

// pushConfig turns the panel's settings into the pusher's: the relay's base
// URL (ws, wss, http or https) and a stream name make the ingest URL, and
// the app's own token becomes the stream's view token, so the public link
// is the app's too.
func pushConfig(p config.Push, viewToken string) (push.Config, error) {
	u, err := url.Parse(strings.TrimSpace(p.Relay))
	if err != nil || u.Host == "" {
		return push.Config{}, fmt.Errorf("relay %q: give its address, e.g. wss://relay.example.com:8188", p.Relay)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return push.Config{}, fmt.Errorf("relay %q: must start with wss://, ws://, https:// or http://", p.Relay)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/ingest/" + url.PathEscape(p.Stream)
	u.RawQuery = ""
	cfg := push.Config{URL: u.String(), PublishToken: p.PublishToken, ViewToken: viewToken}
	return cfg, cfg.Validate()
}

// startPushLocked pushes as p says, with the app's token as the view token.
// The new pusher starts before the old one stops, so a push that cannot
// start leaves the running one as it was. a.mu is held.
func (a *App) startPushLocked(p config.Push) error {
	var next *push.Pusher
	if p.Enabled {
		cfg, err := pushConfig(p, a.settings.Token)
		if err != nil {
			return err
		}
		if next, err = push.New(cfg, a.hub, a.log); err != nil {
			return err
		}
	}
	if a.pusher != nil {
		a.pusher.Close()
	}
	a.pusher = next
	return nil
}

// Push returns the push settings and the connection's state.
func (a *App) Push() (PushInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pushInfoLocked(), nil
}

func (a *App) pushInfoLocked() PushInfo {
	info := PushInfo{Push: a.settings.Push, Status: push.Status{State: "stopped"}}
	if a.pusher != nil {
		info.Status = a.pusher.Status()
		info.QR = a.qrLocked(info.ViewerURL)
	}
	return info
}

// qrLocked returns the QR code of link, made once per link; a.mu is held.
func (a *App) qrLocked(link string) string {
	if link != a.pushQR[0] {
		a.pushQR = [2]string{link, ""}
		if png, err := qrcode.Encode(link, qrcode.Medium, 256); err == nil {
			a.pushQR[1] = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
		}
	}
	return a.pushQR[1]
}

// SetPush applies new push settings: the relay's address, the stream name,
// its publish token, and on/off. Settings that cannot work are refused with
// the reason, and the push that was running keeps running.
func (a *App) SetPush(p config.Push) (PushInfo, error) {
	err := p.Validate()
	if err == nil && p.Enabled {
		_, err = pushConfig(p, "a-view-token-long-enough")
	}
	if err != nil {
		info, _ := a.Push()
		return info, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.startPushLocked(p); err != nil {
		return a.pushInfoLocked(), err
	}
	a.settings.Push = p
	a.saveLocked()
	return a.pushInfoLocked(), nil
}
