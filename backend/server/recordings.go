package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/links"
	"framecast/backend/record"
)

// Recordings are a stream's recordings as its viewers read them
// (api/recordings, clip.mp4, api/detections). A stream that is not
// recorded, and has nothing recorded, answers ErrNotRecorded.
type Recordings interface {
	Spans() ([]record.Span, error)
	Clip(start time.Time, d time.Duration) (Clip, error)
	Detections(q record.Query) ([]record.Detection, error)
}

// Clip is a clip as its viewer downloads it (a record.Clip): read from
// its segments as the viewer takes it.
type Clip interface {
	io.ReadSeekCloser
	// Start is the time of its first frame, the keyframe at or before
	// the start asked.
	Start() time.Time
	// Name is the file name it is saved as.
	Name() string
}

// ErrNotRecorded is what Recordings answer for a stream that is not
// recorded: the viewer page then shows no timeline.
var ErrNotRecorded = errors.New("this stream is not recorded")

// maxClips bounds the clip.mp4 downloads of one stream at a time: each
// reads its segments from disk for as long as its viewer takes.
const maxClips = 4

// clipWriteWait bounds how long a clip download may wait for its viewer
// to take the next bytes before it is ended.
const clipWriteWait = 30 * time.Second

// recordingRoutes adds the recording endpoints to mux, behind the token.
func (sh *Handler) recordingRoutes(mux *http.ServeMux) {
	sh.clips = make(chan struct{}, maxClips)
	mux.Handle("GET /api/recordings", sh.requireToken(requireRecordings(http.HandlerFunc(sh.serveRecordings))))
	mux.Handle("GET /api/detections", sh.requireToken(requireRecordings(http.HandlerFunc(sh.serveDetections))))
	mux.Handle("GET /clip.mp4", sh.requireToken(requireRecordings(http.HandlerFunc(sh.serveClip))))
}

// recordingSpan is one span in api/recordings' answer.
type recordingSpan struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// detection is one detection in api/detections' answer.
type detection struct {
	TS    string  `json:"ts"`
	Label string  `json:"label"`
	Score float64 `json:"score"`
	Box   [4]int  `json:"box"`
}

func (sh *Handler) serveRecordings(w http.ResponseWriter, r *http.Request) {
	if !sh.recordingQuery(w, r) {
		return
	}
	spans, err := sh.recordings.Spans()
	if err != nil {
		sh.recordingError(w, err)
		return
	}
	out := make([]recordingSpan, 0, len(spans))
	for _, s := range spans {
		out = append(out, recordingSpan{Start: formatMillis(s.Start), End: formatMillis(s.End)})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (sh *Handler) serveDetections(w http.ResponseWriter, r *http.Request) {
	if !sh.recordingQuery(w, r) {
		return
	}
	q, err := parseDetectionQuery(r.URL.Query())
	if err != nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	found, err := sh.recordings.Detections(record.Query{Start: q.start, Duration: q.d, Label: q.label, Every: q.every, Limit: q.limit})
	if err != nil {
		sh.recordingError(w, err)
		return
	}
	out := make([]detection, 0, len(found))
	for _, d := range found {
		out = append(out, detection{TS: formatMicros(d.TS), Label: d.Label, Score: d.Score, Box: d.Box})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// serveClip answers clip.mp4: a playable MP4 of the span asked, from the
// keyframe at or before its start, read from the segments as the viewer
// takes it (Range and HEAD too). download=1 makes it a file to save.
func (sh *Handler) serveClip(w http.ResponseWriter, r *http.Request) {
	if !sh.recordingQuery(w, r) {
		return
	}
	q := r.URL.Query()
	sp, err := parseSpan(q, MaxClip)
	if err != nil {
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	select {
	case sh.clips <- struct{}{}:
		defer func() { <-sh.clips }()
	default:
		w.Header().Set("Retry-After", "5")
		httpx.WriteJSONError(w, http.StatusServiceUnavailable, fmt.Sprintf("%d clips of this stream are being downloaded: try again in a moment", maxClips))
		return
	}
	clip, err := sh.recordings.Clip(sp.start, sp.d)
	if err != nil {
		sh.recordingError(w, err)
		return
	}
	defer func() { _ = clip.Close() }()
	cw := newClipWriter(w)
	if r.Method != http.MethodHead { // HEAD carries no footage
		session, ok := sh.joinClip(w, r, sp, cw)
		if !ok {
			return
		}
		defer func() { session.End(cw.sent.Load()) }()
	}
	defer cw.finish()
	h := w.Header()
	h.Set("Content-Type", "video/mp4")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Clip-Start", formatMillis(clip.Start()))
	if q.Get("download") == "1" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": clip.Name()}))
	}
	http.ServeContent(cw, r, "", time.Time{}, &paced{r: clip, rc: cw.rc, done: sh.ctx.Done(), cut: cw.cutC})
}

// joinClip counts and audits a clip download under its request's grant
// (links.KindClip), cut with cw. The desktop window's own timeline is the
// operator: neither. A download with the stream's own link is cut too
// when that link is replaced.
func (sh *Handler) joinClip(w http.ResponseWriter, r *http.Request, sp span, cw *clipWriter) (*links.Session, bool) {
	kind := links.KindClip
	if onLoopbackListener(r.Context()) {
		kind = "preview"
	}
	session, ok := sh.join(w, r, links.Viewer{Kind: kind, Clip: formatMillis(sp.start) + "/" + sp.d.String(), Cut: cw.stop, Bytes: cw.sent.Load})
	if !ok || kind == "preview" || grantOf(r).Link != "" {
		return session, ok
	}
	stop := context.CancelFunc(func() { cw.stop("", "") })
	sh.viewersMu.Lock()
	sh.ownStops[&stop] = struct{}{}
	sh.viewersMu.Unlock()
	context.AfterFunc(r.Context(), func() {
		sh.viewersMu.Lock()
		delete(sh.ownStops, &stop)
		sh.viewersMu.Unlock()
	})
	return session, true
}

// paced is a clip as http.ServeContent reads it: each read gives the
// viewer clipWriteWait to take what the last one read, and reads end when
// the stream's handler closes or the download is cut.
type paced struct {
	r    io.ReadSeeker
	rc   *http.ResponseController
	done <-chan struct{}
	cut  <-chan struct{}
}

func (p *paced) Read(b []byte) (int, error) {
	select {
	case <-p.done:
		return 0, errors.New("the stream has ended")
	case <-p.cut:
		return 0, errClipCut
	default:
	}
	_ = p.rc.SetWriteDeadline(time.Now().Add(clipWriteWait))
	return p.r.Read(b)
}

func (p *paced) Seek(off int64, whence int) (int64, error) { return p.r.Seek(off, whence) }

// recordingQuery bounds a recording request's query and says whether the
// stream has recordings at all; it answers the request when not.
func (sh *Handler) recordingQuery(w http.ResponseWriter, r *http.Request) bool {
	if len(r.URL.RawQuery) > maxQuery {
		httpx.WriteJSONError(w, http.StatusRequestURITooLong, fmt.Sprintf("the query is over %d bytes", maxQuery))
		return false
	}
	if sh.recordings == nil {
		httpx.WriteJSONError(w, http.StatusNotFound, ErrNotRecorded.Error())
		return false
	}
	return true
}

// recordingError answers a failed read of the recordings: what the viewer
// asked that is not there is a 404 with its reason, anything else a 500
// whose cause goes to the log only.
func (sh *Handler) recordingError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNotRecorded), errors.Is(err, record.ErrNoRecording):
		httpx.WriteJSONError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, record.ErrTooLong):
		httpx.WriteJSONError(w, http.StatusBadRequest, err.Error())
	default:
		sh.log.Warn("reading the recordings", "err", err)
		httpx.WriteJSONError(w, http.StatusInternalServerError, "the recordings could not be read; the server's log says why")
	}
}
