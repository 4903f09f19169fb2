package links

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"framecast/backend/httpx"
	"framecast/backend/protocol"
)

// Bounds of an admin API request.
const (
	// maxSpecBody bounds a new link's body: a Spec is a few hundred bytes.
	maxSpecBody = 16 << 10
	// maxAuditQuery bounds /api/audit's query string.
	maxAuditQuery = 1 << 10
	// maxAuditLimit bounds a page of the audit.
	maxAuditLimit = 1000
)

// API is the admin API of a Book's links and its audit: /api/links,
// /api/links/<name> and /api/audit. It answers JSON, never cached; a
// request it refuses changes nothing.
type API struct {
	Book *Book
	// Audit is the audit /api/audit pages; nil: it answers 404, no audit
	// is kept.
	Audit *AuditLog
	// URL is the link's viewer address (its stream's page, or the grid
	// for a link to several or every stream); nil: none shown.
	URL func(Link) string
	// Streams are the stream names a new link may name (400 for
	// another); nil: any.
	Streams func() []string
}

// LinkAnswer is a link as the admin API answers it: its status, token and
// viewer address.
type LinkAnswer struct {
	Status
	URL string `json:"url,omitempty"`
}

// ServeHTTP serves the admin API. The caller (the site) has checked the
// admin token already.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	rest, one := strings.CutPrefix(path, "/api/links/")
	switch {
	case path == "/api/links":
		switch r.Method {
		case http.MethodGet:
			a.list(w)
		case http.MethodPost:
			a.add(w, r)
		default:
			notAllowed(w, r, "GET, POST")
		}
	case one:
		name, err := url.PathUnescape(rest)
		if err != nil {
			httpx.WriteJSONError(w, http.StatusBadRequest, "the link's name in the path is not escaped right: "+protocol.Quote(rest))
			return
		}
		switch r.Method {
		case http.MethodGet:
			a.get(w, name)
		case http.MethodPatch:
			a.update(w, r, name)
		case http.MethodDelete:
			a.revoke(w, name)
		default:
			notAllowed(w, r, "GET, PATCH, DELETE")
		}
	case path == "/api/audit":
		if r.Method != http.MethodGet {
			notAllowed(w, r, "GET")
			return
		}
		a.audit(w, r)
	default:
		httpx.WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no such API: %s", protocol.Quote(r.URL.Path)))
	}
}

func notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	httpx.WriteJSONError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed here (%s are)", protocol.Quote(r.Method), allow))
}

func (a *API) answer(st Status) LinkAnswer {
	out := LinkAnswer{Status: st}
	if a.URL != nil {
		out.URL = a.URL(st.Link)
	}
	return out
}

func (a *API) list(w http.ResponseWriter) {
	out := struct {
		Links []LinkAnswer `json:"links"`
	}{Links: []LinkAnswer{}}
	for _, st := range a.Book.List() {
		out.Links = append(out.Links, a.answer(st))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) get(w http.ResponseWriter, name string) {
	st, ok := a.Book.Get(name)
	if !ok {
		httpx.WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no link %s", protocol.Quote(name)))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.answer(st))
}

// add makes a link from the body's Spec.
func (a *API) add(w http.ResponseWriter, r *http.Request) {
	var spec Spec
	if !a.decode(w, r, &spec) || !a.knownStreams(w, spec.Streams) {
		return
	}
	l, err := a.Book.Add(spec)
	if !answerError(w, err) {
		return
	}
	a.answerLink(w, http.StatusCreated, l)
}

// update changes the link called name as the body's Change says.
func (a *API) update(w http.ResponseWriter, r *http.Request, name string) {
	var ch Change
	if !a.decode(w, r, &ch) {
		return
	}
	if ch.Streams != nil && !a.knownStreams(w, *ch.Streams) {
		return
	}
	l, err := a.Book.Update(name, ch)
	if !answerError(w, err) {
		return
	}
	a.answerLink(w, http.StatusOK, l)
}

// decode reads the body, one JSON object of at most maxSpecBody, into v;
// false: it answered why not.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSpecBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteJSONError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d KiB", maxSpecBody>>10))
		} else {
			httpx.WriteJSONError(w, http.StatusBadRequest, "the body must be a JSON object of a link's settings: "+protocol.Quote(err.Error()))
		}
		return false
	}
	if dec.More() {
		httpx.WriteJSONError(w, http.StatusBadRequest, "the body must be one JSON object")
		return false
	}
	return true
}

// knownStreams answers 400 for a stream name the site has none of.
func (a *API) knownStreams(w http.ResponseWriter, streams []string) bool {
	if a.Streams == nil {
		return true
	}
	known := a.Streams()
	for _, s := range streams {
		if !slices.Contains(known, s) {
			httpx.WriteJSONError(w, http.StatusBadRequest, fmt.Sprintf("streams: no stream %s", protocol.Quote(s)))
			return false
		}
	}
	return true
}

// answerError answers a Book's refusal of a change; true: err is nil.
func answerError(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrNoLink):
		httpx.WriteJSONError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrExists), errors.Is(err, ErrTooMany):
		httpx.WriteJSONError(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrClosed):
		httpx.WriteJSONError(w, http.StatusServiceUnavailable, err.Error())
	default:
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
	}
	return false
}

// answerLink answers l, made or changed, with its status now.
func (a *API) answerLink(w http.ResponseWriter, code int, l Link) {
	st, ok := a.Book.Get(l.Name)
	if !ok || st.Hash != l.Hash {
		st = Status{Link: l} // revoked already, by another request
	}
	httpx.WriteJSON(w, code, a.answer(st))
}

func (a *API) revoke(w http.ResponseWriter, name string) {
	if err := a.Book.Revoke(name); err != nil {
		httpx.WriteJSONError(w, http.StatusNotFound, err.Error())
		return
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Revoked string `json:"revoked"`
	}{name})
}

// audit answers a page of the audit; the first page (no before) also
// lists the connections open now.
func (a *API) audit(w http.ResponseWriter, r *http.Request) {
	if a.Audit == nil {
		httpx.WriteJSONError(w, http.StatusNotFound, "no audit is kept")
		return
	}
	q, err := parseAuditQuery(r.URL.RawQuery)
	if err != nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	page := a.Audit.Page(q)
	if q.Before == 0 {
		for _, rec := range a.Book.Open() {
			if q.matches(rec) {
				page.Open = append(page.Open, bound(rec))
			}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}

// parseAuditQuery reads /api/audit's query: link, stream, before and
// limit, each at most once, nothing else.
func parseAuditQuery(raw string) (AuditQuery, error) {
	q := AuditQuery{Limit: 100}
	if len(raw) > maxAuditQuery {
		return q, fmt.Errorf("the query is over %d KiB", maxAuditQuery>>10)
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return q, fmt.Errorf("the query does not parse: %s", protocol.Quote(err.Error()))
	}
	for key, v := range vals {
		if len(v) > 1 {
			return q, fmt.Errorf("%s is given %d times: once at most", protocol.Quote(key), len(v))
		}
		switch key {
		case "link":
			q.Link = v[0]
		case "stream":
			q.Stream = v[0]
		case "before":
			n, err := strconv.ParseUint(v[0], 10, 64)
			if err != nil || n == 0 {
				return q, fmt.Errorf("before %s: the next page's cursor (a page's next), a whole number from 1", protocol.Quote(v[0]))
			}
			q.Before = n
		case "limit":
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 || n > maxAuditLimit {
				return q, fmt.Errorf("limit %s: a whole number from 1 to %d", protocol.Quote(v[0]), maxAuditLimit)
			}
			q.Limit = n
		default:
			return q, fmt.Errorf("no parameter %s: link, stream, before and limit are", protocol.Quote(key))
		}
	}
	return q, nil
}
