package app

import (
	"framecast/backend/config"
	"framecast/backend/push"
)

// PushInfo is what the "Share over the internet" panel shows.
type PushInfo struct {
	config.Push
	push.Status
	QR string `json:"qr,omitempty"` // PNG data URL of the public viewer link
}

// Push returns the push settings and the connection's state. A camera
// never set to push gets a form filled in to push under its own name to
// the relay another camera pushes to, with that relay's publish token:
// sharing a second camera is one click.
func (a *App) Push() (PushInfo, error) {
	cur := a.cur()
	p, status := cur.Push()
	if p.Relay == "" && p.Stream == "" {
		p.Stream = cur.Name()
		for _, other := range a.site.Stations() {
			if op, _ := other.Push(); op.Relay != "" {
				p.Relay, p.PublishToken = op.Relay, op.PublishToken
				break
			}
		}
	}
	info := PushInfo{Push: p, Status: status}
	if status.ViewerURL != "" {
		info.QR = a.pushQR.get(status.ViewerURL)
	}
	return info, nil
}

// SetPush applies new push settings: the relay's address, the stream name,
// its publish token, and on/off. Settings that cannot work are refused with
// the reason, and the push that was running keeps running.
func (a *App) SetPush(p config.Push) (PushInfo, error) {
	err := a.cur().SetPush(p)
	info, _ := a.Push()
	return info, err
}
