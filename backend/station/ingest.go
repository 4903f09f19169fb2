package station

import (
	"net/http"
	"net/url"
	"strings"

	"framecast/backend/engine"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/server"
	"framecast/backend/source"
)

// isIngest reports whether s's source is a producer's frames.
func isIngest(s engine.Settings) bool {
	spec, err := source.ParseSpec(s.Source)
	return err == nil && spec.Kind == source.KindIngest
}

// audience is the producer's count of who watches: the stream's viewers,
// and one more while only a tap (the recorder) takes its frames, so a
// producer that idles with nobody watching keeps sending for a recording.
type audience struct{ h *hub.Hub }

func (a audience) Count() int {
	if n := a.h.Count(); n > 0 || !a.h.Busy() {
		return n
	}
	return 1
}

// Changed is closed at the next change of viewers or taps.
func (a audience) Changed() <-chan struct{} { return a.h.Changed() }

// open opens a source for the engine: the ingest source on the station's
// feed, any other as source.Open does.
func (st *Station) open(spec source.Spec, opt source.Options) (source.Source, error) {
	if spec.Kind == source.KindIngest {
		return source.OpenIngest(st.feed), nil
	}
	return source.Open(spec, opt)
}

func (st *Station) loadPublishToken() string { return *st.publishToken.Load() }

// followSourceLocked follows a change of source: a stream that becomes an
// ingest one without a publish token gets a new one (saved by the
// caller), and one that no longer is lets its producer go. st.mu is held.
func (st *Station) followSourceLocked() {
	if !isIngest(st.eng.Settings()) {
		st.feed.Kick("the stream's source is no longer ingest")
		return
	}
	if st.settings.PublishToken == "" {
		st.settings.PublishToken = protocol.NewToken()
		st.publishToken.Store(&st.settings.PublishToken)
	}
}

// Ingest returns the URLs a producer sends the stream's frames to, one
// for each address the server can be reached on (ws://, or wss:// with
// HTTPS), each with the publish token, and the token; nothing when the
// source is not ingest.
func (st *Station) Ingest() (urls []string, token string) {
	if !isIngest(st.eng.Settings()) {
		return nil, ""
	}
	token = st.loadPublishToken()
	if st.d.URLs == nil {
		return nil, token
	}
	for _, u := range st.d.URLs("/ingest/"+url.PathEscape(st.Name()), token) {
		switch {
		case strings.HasPrefix(u, "https://"):
			u = "wss://" + strings.TrimPrefix(u, "https://")
		case strings.HasPrefix(u, "http://"):
			u = "ws://" + strings.TrimPrefix(u, "http://")
		}
		urls = append(urls, u)
	}
	return urls, token
}

// IngestHandler takes the stream's producer on /ingest/<name>. While the
// source is not ingest it answers as for a stream that does not exist:
// 404, counted as a wrong token, so names cannot be found out by asking.
func (st *Station) IngestHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isIngest(st.eng.Settings()) {
			server.RefuseIngest(w, r, st.d.Guard)
			return
		}
		st.feed.ServeHTTP(w, r)
	})
}

// ProducerConnected reports whether a producer is connected to the
// stream's /ingest/<name> now.
func (st *Station) ProducerConnected() bool { return st.feed.Connected() }
