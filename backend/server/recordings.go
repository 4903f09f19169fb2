package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/record"
)

// Recordings are a stream's recordings as its viewers read them
// (api/recordings, clip.mp4, api/detections). A stream that is not
// recorded, and has nothing recorded, answers ErrNotRecorded.
type Recordings interface {
	Spans() ([]record.Span, error)
	Clip(start time.Time, d time.Duration) (*record.Clip, error)
	Detections(q record.Query) ([]record.Detection, error)
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
	h := w.Header()
	h.Set("Content-Type", "video/mp4")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Clip-Start", formatMillis(clip.Start()))
	if q.Get("download") == "1" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": clip.Name()}))
	}
	http.ServeContent(w, r, "", time.Time{}, &paced{r: clip, rc: http.NewResponseController(w), done: sh.ctx.Done()})
}

// paced is a clip as http.ServeContent reads it: each read gives the
// viewer clipWriteWait to take what the last one read, and reads end when
// the stream's handler closes.
type paced struct {
	r    io.ReadSeeker
	rc   *http.ResponseController
	done <-chan struct{}
}

func (p *paced) Read(b []byte) (int, error) {
	select {
	case <-p.done:
		return 0, errors.New("the stream has ended")
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
