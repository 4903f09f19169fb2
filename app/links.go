package app

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"framecast/backend/links"
	"framecast/backend/protocol"
)

// ErrNoCustomerLinks is the answer of the customer-link bindings when the
// app was started without a Book (Deps.Links).
var ErrNoCustomerLinks = errors.New("customer links are off in this app")

// auditLimit is how many audit records LinkAudit returns a page.
const auditLimit = 50

// expiryChoices are the expiries the Share panel offers; "" is never.
var expiryChoices = []string{"", "1h", "24h", "7d", "30d"}

// auditReader reads a page of the links' audit (links.AuditLog).
type auditReader interface {
	Page(links.AuditQuery) links.AuditPage
}

// CustomerLink is one customer's link as the Share panel shows it.
type CustomerLink struct {
	Name string `json:"name"`
	// Streams are the cameras it opens; empty: every camera.
	Streams []string `json:"streams"`
	// URL is the link to send the customer (the first of URLs), QR its
	// code as a PNG data URL.
	URL  string   `json:"url"`
	URLs []string `json:"urls"`
	QR   string   `json:"qr"`
	// Viewers watch with it now.
	Viewers int `json:"viewers"`
	// WatchSeconds is the time all its viewers watched, in all.
	WatchSeconds float64 `json:"watchSeconds"`
	// LastSeen is when a viewer last watched with it (now while one
	// does); absent: never.
	LastSeen time.Time `json:"lastSeen,omitzero"`
	// ExpiresAt is when it stops opening anything; absent: never.
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
	Expired    bool      `json:"expired"`
	MaxViewers int       `json:"maxViewers"` // 0: no cap
	Recordings bool      `json:"recordings"` // it may watch the recordings
	Created    time.Time `json:"created"`
}

// LinkSpec is what the Share panel's "New link for a customer" form asks
// for.
type LinkSpec struct {
	// Name is the customer's, as the panel and the audit show it.
	Name string `json:"name"`
	// Cameras are the cameras it opens, by name; empty: every camera.
	Cameras []string `json:"cameras"`
	// ExpiresIn is "" (never), "1h", "24h", "7d" or "30d".
	ExpiresIn  string `json:"expiresIn"`
	MaxViewers int    `json:"maxViewers"` // 0: no cap
	Recordings bool   `json:"recordings"`
}

// CustomerLinks lists the customer links, oldest first, with their
// viewers now, use and expiry.
func (a *App) CustomerLinks() ([]CustomerLink, error) {
	if a.links == nil {
		return []CustomerLink{}, nil
	}
	list := a.links.List()
	out := make([]CustomerLink, 0, len(list))
	keep := make(map[string]bool, len(list))
	for _, st := range list {
		cl, err := a.customerLink(st)
		if err != nil {
			return out, err
		}
		keep[cl.URL] = true
		out = append(out, cl)
	}
	a.linkQR.keepOnly(keep)
	return out, nil
}

// customerLink is st as the panel shows it.
func (a *App) customerLink(st links.Status) (CustomerLink, error) {
	cl := CustomerLink{Name: st.Name, Streams: st.Streams, URLs: a.site.LinkURLs(st.Link), Viewers: st.Viewers,
		WatchSeconds: st.WatchSeconds, LastSeen: st.LastSeen, ExpiresAt: st.Expires, Expired: st.Expired,
		MaxViewers: st.MaxViewers, Recordings: st.Recordings, Created: st.Created}
	if cl.Streams == nil {
		cl.Streams = []string{}
	}
	if cl.URLs == nil {
		cl.URLs = []string{}
	}
	if len(cl.URLs) > 0 {
		cl.URL = cl.URLs[0]
		qr, err := a.linkQR.get(cl.URL)
		if err != nil {
			return cl, fmt.Errorf("link “%s”: %w", cl.Name, err)
		}
		cl.QR = qr
	}
	return cl, nil
}

// NewCustomerLink makes a link for a customer: its own token, for the
// cameras chosen (or every camera), expiring or not, with a viewer cap or
// not. The link and its QR code are in the answer.
func (a *App) NewCustomerLink(spec LinkSpec) (CustomerLink, error) {
	if a.links == nil {
		return CustomerLink{}, ErrNoCustomerLinks
	}
	if !slices.Contains(expiryChoices, spec.ExpiresIn) {
		return CustomerLink{}, fmt.Errorf("expiry %s: choose never, 1h, 24h, 7d or 30d", protocol.Quote(spec.ExpiresIn))
	}
	if spec.MaxViewers < 0 || spec.MaxViewers > links.MaxViewersCap {
		return CustomerLink{}, fmt.Errorf("a cap of %d viewers: leave it empty for no cap, or give 1 to %d", spec.MaxViewers, links.MaxViewersCap)
	}
	for _, cam := range spec.Cameras {
		if a.site.Station(cam) == nil {
			return CustomerLink{}, fmt.Errorf("camera %s: there is none of that name", protocol.Quote(cam))
		}
	}
	l, err := a.links.Add(links.Spec{Name: spec.Name, Streams: spec.Cameras, ExpiresIn: spec.ExpiresIn,
		MaxViewers: spec.MaxViewers, Recordings: spec.Recordings})
	if errors.Is(err, links.ErrExists) {
		return CustomerLink{}, fmt.Errorf("a link named “%s” exists already: give this one another name", spec.Name)
	}
	if err != nil {
		return CustomerLink{}, err
	}
	st, ok := a.links.Get(l.Name)
	if !ok {
		return CustomerLink{}, fmt.Errorf("link “%s” was revoked as it was made", l.Name)
	}
	return a.customerLink(st)
}

// LinkChange is what the Share panel's Change… form changes of a link: a
// field left out stays as it is. The token stays: the customer keeps the
// link they were given.
type LinkChange struct {
	// Name renames the link; its viewers watch on under the new name.
	Name *string `json:"name,omitempty"`
	// Cameras it opens from now, by name; empty: every camera.
	Cameras *[]string `json:"cameras,omitempty"`
	// ExpiresIn is "" (never), "1h", "24h", "7d" or "30d", from now: an
	// expired link opens again.
	ExpiresIn  *string `json:"expiresIn,omitempty"`
	MaxViewers *int    `json:"maxViewers,omitempty"` // 0: no cap
	Recordings *bool   `json:"recordings,omitempty"`
}

// ChangeLink changes the customer link called name as change says,
// keeping its token, and answers the link as it is now. A refused change
// changes nothing.
func (a *App) ChangeLink(name string, change LinkChange) (CustomerLink, error) {
	if a.links == nil {
		return CustomerLink{}, ErrNoCustomerLinks
	}
	if change == (LinkChange{}) {
		return CustomerLink{}, errors.New("nothing to change: change its name, cameras, expiry, viewer cap or recordings")
	}
	if change.ExpiresIn != nil && !slices.Contains(expiryChoices, *change.ExpiresIn) {
		return CustomerLink{}, fmt.Errorf("expiry %s: choose never, 1h, 24h, 7d or 30d", protocol.Quote(*change.ExpiresIn))
	}
	if change.MaxViewers != nil && (*change.MaxViewers < 0 || *change.MaxViewers > links.MaxViewersCap) {
		return CustomerLink{}, fmt.Errorf("a cap of %d viewers: leave it empty for no cap, or give 1 to %d", *change.MaxViewers, links.MaxViewersCap)
	}
	if change.Cameras != nil {
		for _, cam := range *change.Cameras {
			if a.site.Station(cam) == nil {
				return CustomerLink{}, fmt.Errorf("camera %s: there is none of that name", protocol.Quote(cam))
			}
		}
	}
	l, err := a.links.Update(name, links.Change{Name: change.Name, Streams: change.Cameras, ExpiresIn: change.ExpiresIn,
		MaxViewers: change.MaxViewers, Recordings: change.Recordings})
	switch {
	case errors.Is(err, links.ErrExists):
		return CustomerLink{}, fmt.Errorf("a link named “%s” exists already: give this one another name", *change.Name)
	case errors.Is(err, links.ErrNoLink):
		return CustomerLink{}, fmt.Errorf("there is no link named %s: it may have been revoked", protocol.Quote(name))
	case err != nil:
		return CustomerLink{}, err
	}
	st, ok := a.links.Get(l.Name)
	if !ok {
		return CustomerLink{}, fmt.Errorf("link “%s” was revoked as it was changed", l.Name)
	}
	return a.customerLink(st)
}

// RevokeLink revokes the customer link called name at once: its viewers
// are told and disconnected, and it opens nothing from now on.
func (a *App) RevokeLink(name string) error {
	if a.links == nil {
		return ErrNoCustomerLinks
	}
	if err := a.links.Revoke(name); errors.Is(err, links.ErrNoLink) {
		return fmt.Errorf("there is no link named %s: it may have been revoked already", protocol.Quote(name))
	} else if err != nil {
		return err
	}
	return nil
}

// LinkAudit is a page of the connections made with the customer link
// called link, newest first: with before 0, the first page, which also
// lists the connections open now; otherwise the records older than
// before (the Next of the page before).
func (a *App) LinkAudit(link string, before uint64) (links.AuditPage, error) {
	page := links.AuditPage{Records: []links.Record{}}
	if a.links == nil {
		return page, ErrNoCustomerLinks
	}
	if link == "" {
		return page, errors.New("which link's audit? give its name")
	}
	if a.audit != nil {
		page = a.audit.Page(links.AuditQuery{Link: link, Before: before, Limit: auditLimit})
		if page.Records == nil {
			page.Records = []links.Record{}
		}
	}
	page.Open = nil
	if before == 0 {
		for _, r := range a.links.Open() {
			if r.Link == link {
				page.Open = append(page.Open, r)
			}
		}
	}
	return page, nil
}
