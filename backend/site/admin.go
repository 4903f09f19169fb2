package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/httpx"
	"framecast/backend/protocol"
	"framecast/backend/station"
)

// maxSpecBody bounds a runtime API request's body: a stream's settings are
// a few hundred bytes.
const maxSpecBody = 64 << 10

// adminAPI is the runtime API on /api/streams: list, add, change and
// remove streams, behind the admin token (Authorization: Bearer) only; and
// the customer links' (/api/links, /api/audit: links.API) behind the same. A
// viewer's token never opens it. Changes are applied as the desktop
// applies them and saved (Deps.Save).
type adminAPI struct {
	site *Site
}

func (a *adminAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := a.site
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !protocol.EqualTokens(got, s.adminToken) {
		if s.router.Guard().Refused(w, r) {
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="framecast"`)
		httpx.WriteJSONError(w, http.StatusUnauthorized, "the runtime API needs Authorization: Bearer <admin token>")
		return
	}
	if r.URL.Path == "/api/links" || strings.HasPrefix(r.URL.Path, "/api/links/") || r.URL.Path == "/api/audit" {
		if s.links == nil {
			httpx.WriteJSONError(w, http.StatusNotFound, "this server keeps no customer links")
			return
		}
		s.links.ServeHTTP(w, r)
		return
	}
	name, one := strings.CutPrefix(r.URL.Path, "/api/streams/")
	switch {
	case !one && r.Method == http.MethodGet:
		a.list(w)
	case !one && r.Method == http.MethodPost:
		a.add(w, r)
	case one && r.Method == http.MethodGet:
		a.get(w, name)
	case one && r.Method == http.MethodPut:
		a.change(w, r, name)
	case one && r.Method == http.MethodDelete:
		a.remove(w, name)
	default:
		w.Header().Set("Allow", "GET, POST on /api/streams; GET, PUT, DELETE on /api/streams/<name>")
		httpx.WriteJSONError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed here", protocol.Quote(r.Method)))
	}
}

// readSpec reads a request's StreamSpec: bounded in size, unknown keys
// refused.
func readSpec(w http.ResponseWriter, r *http.Request) (StreamSpec, bool) {
	var spec StreamSpec
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSpecBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteJSONError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d KiB", maxSpecBody>>10))
		} else {
			httpx.WriteJSONError(w, http.StatusBadRequest, "the body must be a JSON object of stream settings: "+protocol.Quote(err.Error()))
		}
		return spec, false
	}
	if dec.More() {
		httpx.WriteJSONError(w, http.StatusBadRequest, "the body must be one JSON object")
		return spec, false
	}
	return spec, true
}

func (a *adminAPI) info(st *station.Station) StreamInfo {
	_, status := st.Push()
	viewers := 0
	for _, v := range st.Viewers(time.Now()) {
		if v.Kind != "preview" {
			viewers++
		}
	}
	return info(st.Saved(), st.Settings(), status.State, st.Recording(), viewers, a.site.URLs(st.Name()))
}

func (a *adminAPI) list(w http.ResponseWriter) {
	out := struct {
		Streams []StreamInfo `json:"streams"`
	}{Streams: []StreamInfo{}}
	for _, st := range a.site.Stations() {
		out.Streams = append(out.Streams, a.info(st))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *adminAPI) get(w http.ResponseWriter, name string) {
	st := a.site.Station(name)
	if st == nil {
		httpx.WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no stream %s", protocol.Quote(name)))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.info(st))
}

// add starts a stream from the body's settings: the defaults, the site's
// shared token unless it gives its own, then what it says.
func (a *adminAPI) add(w http.ResponseWriter, r *http.Request) {
	spec, ok := readSpec(w, r)
	if !ok {
		return
	}
	if spec.Name == nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, "name: give the new stream's name")
		return
	}
	cam := a.site.newCamera()
	if err := spec.apply(&cam, a.site.d.Relay); err != nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, err := a.site.Add(cam)
	switch {
	case err != nil && a.site.Station(cam.Name) != nil:
		httpx.WriteJSONError(w, http.StatusConflict, err.Error())
	case err != nil:
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
	default:
		httpx.WriteJSON(w, http.StatusCreated, a.info(st))
	}
}

// change applies the body's settings to a running stream: only those it
// gives. Bad settings are refused whole, before anything changes.
func (a *adminAPI) change(w http.ResponseWriter, r *http.Request, name string) {
	st := a.site.Station(name)
	if st == nil {
		httpx.WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no stream %s", protocol.Quote(name)))
		return
	}
	spec, ok := readSpec(w, r)
	if !ok {
		return
	}
	saved := st.Saved()
	next := saved
	if err := spec.apply(&next, a.site.d.Relay); err != nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	if next.Name != saved.Name && a.site.Station(next.Name) != nil {
		httpx.WriteJSONError(w, http.StatusConflict, fmt.Sprintf("stream %s: a stream of that name exists", protocol.Quote(next.Name)))
		return
	}
	if err := a.site.Change(st, saved, next, spec); err != nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.info(st))
}

func (a *adminAPI) remove(w http.ResponseWriter, name string) {
	if err := a.site.Remove(name); err != nil {
		httpx.WriteJSONError(w, http.StatusNotFound, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// newCamera is a new stream's settings before the API's: the defaults, and
// the token the site's streams share, if they do (its one stream's, if it
// has one).
func (s *Site) newCamera() config.Camera {
	// Recorded when the site records, as a config file's stream is.
	cam := config.Camera{Stream: engine.DefaultSettings(), Record: s.d.Store != nil}
	list := s.Stations()
	cam.Token = s.sharedToken(list)
	if len(list) == 1 {
		cam.Token = list[0].Handler().Token()
	}
	return cam
}
