package app

import (
	"encoding/base64"
	"fmt"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// qrDataURL is text's QR code as a PNG data URL, as the window shows it.
func qrDataURL(text string) (string, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return "", fmt.Errorf("QR code for %s: %w", text, err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

// qrCache keeps the QR code of the last link asked for: the push panel asks
// for the same one twice a second.
type qrCache struct {
	mu   sync.Mutex
	text string
	url  string
}

func (c *qrCache) get(text string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if text != c.text {
		c.text, c.url = text, ""
		if u, err := qrDataURL(text); err == nil {
			c.url = u
		}
	}
	return c.url
}

// qrSet keeps the QR codes of the customer links: the Share panel asks
// for them every two seconds.
type qrSet struct {
	mu   sync.Mutex
	urls map[string]string // link → data URL; guarded by mu
}

func (c *qrSet) get(text string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.urls[text]; ok {
		return u, nil
	}
	u, err := qrDataURL(text)
	if err != nil {
		return "", err
	}
	if c.urls == nil {
		c.urls = map[string]string{}
	}
	c.urls[text] = u
	return u, nil
}

// keepOnly forgets the codes of links not in keep (revoked, or moved to
// another port).
func (c *qrSet) keepOnly(keep map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for u := range c.urls {
		if !keep[u] {
			delete(c.urls, u)
		}
	}
}
