package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"framecast/backend/httpx"
	"framecast/backend/hub"
	"framecast/backend/internal/directwrite"
	"framecast/backend/links"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Stream is what a Handler needs from whatever makes the frames: the engine
// on the app's own server, a relayed producer on the relay.
type Stream interface {
	Stats() protocol.Stats
}

// Deps are a stream's collaborators.
type Deps struct {
	Hub    *hub.Hub
	Stream Stream
	Assets fs.FS // the built frontend: viewer.html and assets/
	Log    *slog.Logger
	// Guard limits viewers per address and wrong tokens; nil: a Guard of
	// this stream's own with Limits.
	Guard  *httpx.Guard
	Limits httpx.Limits // per stream; zero fields take DefaultLimits()
	// Metrics, when set, is served at /metrics behind the token.
	Metrics http.Handler
	// OnPanic counts an HTTP handler that panicked; nil: not counted.
	OnPanic func()
	// Origins are the foreign page origins allowed to open /ws and read
	// responses, besides pages of the same host: the desktop app gives its
	// webview's ("wails://wails"), --allow-origin adds more.
	Origins []string
	// AnyOriginDataURL accepts ?format=dataurl from any site: the relay's
	// streams, for pages written for the old Node.js relay.
	AnyOriginDataURL bool
	// MayStartLater marks a relay's streams (and its answer for names it
	// does not have): a link refused now may work once its producer comes,
	// so a wrong token is answered "not yet" (RefusedNotYet), and the page
	// is the viewer page itself, which keeps trying.
	MayStartLater bool
	// H264 says whether the stream's producer encodes H.264 now for
	// viewers that ask (?codec=h264): the engine does; a relay's producer
	// when it offered it. Viewers asking for it get JPEG while it does not,
	// which their hello says; when that changes, the producer calls its
	// hub's RenditionsChanged, and they are moved to what they asked for
	// (relist). nil: never.
	H264 func() bool
	// Recordings are the stream's recordings (api/recordings, clip.mp4,
	// api/detections); nil: never recorded (a relay's streams).
	Recordings Recordings
	// Links are the customer links that open the stream besides its own
	// token, and count, cap, cut and audit their viewers (and the own
	// link's); nil: the stream's own token alone, nothing audited.
	Links *links.Book
}

// Handler serves one stream's endpoints (the viewer page, /ws,
// /stream.mjpg, /snapshot.jpg, /api/state, the recordings), all behind its
// token, relative
// to wherever it is mounted: at / on the app's own server, at /s/{name}/ on
// the relay.
type Handler struct {
	name   string
	hub    *hub.Hub
	stream Stream
	assets fs.FS
	log    *slog.Logger
	mux    http.Handler
	guard  *httpx.Guard
	// upgrader checks Origin by this stream's rules (checkOrigin).
	upgrader         websocket.Upgrader
	origins          []string
	anyOriginDataURL bool
	mayStartLater    bool
	h264             func() bool
	recordings       Recordings
	links            *links.Book
	// clips holds a slot for each clip.mp4 download running (maxClips).
	clips chan struct{}
	// maxViewers bounds this stream's WebSocket and MJPEG viewers.
	maxViewers int
	pongWait   time.Duration

	tokenMu sync.RWMutex
	token   string   // guarded by tokenMu; "" when only its hash is known
	hash    [32]byte // SHA-256 of the token, what requests are checked against; guarded by tokenMu
	// replaced are the hashes of the tokens this one replaced, newest
	// last, at most maxReplaced and none older than replacedFor, so a
	// viewer on an old link is told so (RefusedReplaced); guarded by tokenMu
	replaced []replacedToken

	// viewers are the open WebSocket viewers, so Close and SetToken can end
	// them: http.Server.Shutdown does not close hijacked connections.
	viewersMu sync.Mutex
	viewers   map[*wsViewer]struct{} // guarded by viewersMu
	// ownStops ends each MJPEG viewer and clip download of the stream's
	// own link (a new link cuts them off); guarded by viewersMu.
	ownStops map[*context.CancelFunc]struct{}
	// handlers are the WebSocket viewers' handlers, which Close waits for.
	handlers  httpx.Tracker
	streaming int // WebSocket and MJPEG viewers now; guarded by viewersMu

	ctx    context.Context // ends every streaming response when cancelled
	cancel context.CancelFunc

	// splice writes the stream's frames to viewers' sockets for the hub's
	// fan-out goroutine (trySend) without a copy per viewer.
	splice directwrite.Splicer
}

// NewHandler returns the handler of the stream called name.
func NewHandler(name, token string, d Deps) *Handler {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	sh := &Handler{
		name: name, hub: d.Hub, stream: d.Stream, assets: d.Assets, log: log.With("component", "server", "stream", name),
		token: token, hash: protocol.HashToken(token), viewers: make(map[*wsViewer]struct{}), ownStops: make(map[*context.CancelFunc]struct{}), ctx: ctx, cancel: cancel, guard: d.Guard,
	}
	if sh.guard == nil {
		sh.guard = httpx.NewGuard(d.Limits)
	}
	sh.origins, sh.anyOriginDataURL, sh.mayStartLater, sh.h264, sh.recordings = d.Origins, d.AnyOriginDataURL, d.MayStartLater, d.H264, d.Recordings
	sh.links = d.Links
	// Viewers borrow a write buffer only while they write an event: frames
	// go out as prepared messages, which need none, so a buffer per
	// connection would sit idle.
	sh.upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}, CheckOrigin: sh.checkOrigin}
	limits := d.Limits.WithDefaults()
	sh.maxViewers, sh.pongWait = limits.MaxViewers, limits.PongWait
	mux := http.NewServeMux()
	mux.Handle("GET /ws", sh.requireToken(http.HandlerFunc(sh.serveWS)))
	mux.Handle("GET /stream.mjpg", sh.requireToken(http.HandlerFunc(sh.serveMJPEG)))
	mux.Handle("GET /snapshot.jpg", sh.requireToken(http.HandlerFunc(sh.serveSnapshot)))
	mux.Handle("GET /api/state", sh.requireToken(http.HandlerFunc(sh.serveState)))
	sh.recordingRoutes(mux)
	mux.Handle("GET /assets/", sh.serveAssets())
	mux.Handle("GET /{$}", sh.requireToken(http.HandlerFunc(sh.servePage)))
	if d.Metrics != nil {
		mux.Handle("GET /metrics", sh.requireToken(d.Metrics))
	}
	sh.mux = mux
	go sh.reportDrops(ctx)
	return sh
}

// Done is closed when the handler is closed: streaming responses end.
func (sh *Handler) Done() <-chan struct{} { return sh.ctx.Done() }

// PongWait is how soon a silent WebSocket viewer is dropped.
func (sh *Handler) PongWait() time.Duration { return sh.pongWait }

func (sh *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { sh.mux.ServeHTTP(w, r) }

// Close tells every viewer why, disconnects them, ends every streaming
// response, and returns once every WebSocket viewer's handler has.
func (sh *Handler) Close(reason string) {
	sh.closeViewers(reason)
	sh.cancel()
	sh.handlers.Close()
	sh.splice.Close()
}

// Name is the stream's name, as viewers see it.
func (sh *Handler) Name() string { return sh.name }
