package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"log/slog"
	"net/http"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// The biggest picture a producer may send to a Feed: what the engine's
// settings allow at most (engine.Settings' max size).
const maxWidth, maxHeight = 7680, 4320

// refusedLogEvery is how often refused messages are logged again, as one
// line that counts them.
const refusedLogEvery = 10 * time.Second

// Sentinel errors of a producer refused before its connection opens.
var (
	ErrBusy       = errors.New("the stream has a live producer")
	ErrFeedClosed = errors.New("the stream is closing")
)

// ServeHTTP takes a producer on /ingest/<name>?token=P, in the relay's URL
// form (its other parameters, such as view, are ignored). Every check
// comes before the upgrade, the token's in constant time: a refused
// request changes nothing and leaves nothing running.
func (f *Feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	want := f.d.Token()
	switch {
	case want == "" || !protocol.EqualTokens(r.URL.Query().Get("token"), want):
		if f.d.Guard != nil && f.d.Guard.Refused(w, r) {
			return
		}
		http.Error(w, "401 unauthorized: wrong or missing publish token", http.StatusUnauthorized)
		return
	case !websocket.IsWebSocketUpgrade(r):
		http.Error(w, "this is a producer's WebSocket endpoint: connect with a WebSocket client", http.StatusBadRequest)
		return
	case r.Header.Get("Origin") != "":
		http.Error(w, "producers may not connect from a web page (Origin set)", http.StatusForbidden)
		return
	}
	p, err := f.reserve()
	switch {
	case errors.Is(err, ErrBusy):
		http.Error(w, "409 conflict: "+err.Error()+"; one at a time", http.StatusConflict)
		return
	case err != nil:
		http.Error(w, "503 service unavailable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer f.wg.Done()
	conn, err := Upgrade(w, r)
	if err != nil {
		f.release(p) // the upgrader has replied
		return
	}
	defer conn.Close()
	log := f.log.With("producer", r.RemoteAddr)
	if !f.attach(p, conn) {
		f.release(p)
		p.CloseWith(websocket.CloseGoingAway, p.Kicked())
		return
	}
	log.Info("producer connected")
	conn.SetReadLimit(int64(f.d.MaxFrame) + protocol.MaxHeaderSize + 4)
	conn.SetPongHandler(func(string) error { p.Extend(); return nil })
	stop := make(chan struct{})
	told := make(chan struct{})
	go func() {
		defer close(told)
		f.tell(p, stop)
	}()
	reason := f.read(p, log)
	close(stop)
	<-told
	f.release(p)
	log.Info("producer gone", "reason", reason)
}

// reserve makes a new producer the live one before its upgrade, so a
// second one is refused from then on.
func (f *Feed) reserve() (*Link, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.closed:
		return nil, ErrFeedClosed
	case f.live != nil:
		return nil, ErrBusy
	}
	p := &Link{}
	f.live = p
	f.wg.Add(1)
	return p, nil
}

// attach gives p its connection: the producer is connected from now on.
// It reports false when p was kicked during its upgrade.
func (f *Feed) attach(p *Link, conn *websocket.Conn) bool {
	if !p.Attach(conn, protocol.ProducerPongWait) {
		return false
	}
	f.mu.Lock()
	f.connected = true
	f.notifyLocked()
	f.mu.Unlock()
	return true
}

// release frees the feed for the next producer once p is done.
func (f *Feed) release(p *Link) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.live == p {
		f.live, f.connected = nil, false
		f.notifyLocked()
	}
}

// tell sends the producer how many watch, whenever that changes (so it
// can stop capturing while nobody does), and pings it, until stop is
// closed.
func (f *Feed) tell(p *Link, stop <-chan struct{}) {
	t := time.NewTicker(protocol.ProducerPingPeriod)
	defer t.Stop()
	last := -1
	for {
		var changed <-chan struct{}
		if a := f.d.Audience; a != nil {
			changed = a.Changed()
			if n := a.Count(); n != last {
				if p.Send(protocol.NewViewerCount(n)) != nil {
					return
				}
				last = n
			}
		}
		select {
		case <-stop:
			return
		case <-changed:
		case <-t.C:
			if p.Ping() != nil {
				return
			}
		}
	}
}

// read reads the producer's messages until it goes, and says why it went.
// A refused message gets an error reply, and the connection carries on.
func (f *Feed) read(p *Link, log *slog.Logger) string {
	refused := refusals{log: log}
	for {
		p.Extend()
		kind, msg, err := p.Conn().ReadMessage()
		if err != nil {
			if kicked := p.Kicked(); kicked != "" {
				p.CloseWith(websocket.CloseGoingAway, kicked)
				return kicked
			}
			if errors.Is(err, websocket.ErrReadLimit) {
				log.Warn("producer message over the size limit", "limit", f.d.MaxFrame)
				p.CloseWith(websocket.CloseMessageTooBig, fmt.Sprintf("a message over the limit of %d bytes", f.d.MaxFrame))
				return "a message over the size limit"
			}
			return "the producer went away"
		}
		if err := f.handle(p, kind, msg, time.Now()); err != nil {
			refused.add(err, time.Now())
			if p.Refuse(err) != nil {
				return "the producer went away"
			}
		}
	}
}

// handle checks one producer message and takes it; a refused one's error
// says why.
func (f *Feed) handle(p *Link, kind int, msg []byte, now time.Time) error {
	if kind == websocket.TextMessage {
		if !protocol.IsControl(msg) {
			return errors.New("text message: this server takes binary frames (docs/protocol.md), not the old setup's text")
		}
		m, err := protocol.ParseProducerMessage(msg)
		if err != nil {
			return err
		}
		offer, ok := m.(protocol.RenditionsOffer)
		if !ok {
			return fmt.Errorf("control message %T: this server takes only renditions offers", m)
		}
		// The engine makes the stream's renditions from the pictures it
		// decodes: nothing but the producer's own size in JPEG is needed.
		want := protocol.NewRenditionsWant(nil, false)
		if len(offer.Codecs) > 0 {
			want = protocol.NewRenditionsWant([]string{""}, true)
		}
		return p.Send(want)
	}
	pic, err := checkPicture(msg, f.d.MaxFrame)
	if err != nil {
		return err
	}
	pic.At = now
	if !f.put(p, pic) {
		return errors.New("the producer was replaced")
	}
	return nil
}

// checkPicture reads a binary frame message as the ingest source takes it:
// a JPEG of the producer's own size, whose header says its size right.
func checkPicture(msg []byte, maxSize int) (Picture, error) {
	m, err := ParseBinary(msg, maxSize)
	if err != nil {
		return Picture{}, err
	}
	h := m.Header
	if h.Codec != "" {
		return Picture{}, fmt.Errorf("codec %s: this server takes JPEG frames only", protocol.Quote(h.Codec))
	}
	if h.Rendition != "" {
		return Picture{}, fmt.Errorf("rendition %s: this server makes its own renditions and asked for none", protocol.Quote(h.Rendition))
	}
	// The picture's header, not the whole picture: cheap, and a JPEG that
	// cannot say its size is refused here, before the source decodes it.
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(m.Data))
	switch {
	case err != nil:
		return Picture{}, fmt.Errorf("picture is not a JPEG that can be read: %w", err)
	case cfg.Width > maxWidth || cfg.Height > maxHeight:
		return Picture{}, fmt.Errorf("picture of %dx%d: at most %dx%d", cfg.Width, cfg.Height, maxWidth, maxHeight)
	case h.W != cfg.Width || h.H != cfg.Height:
		return Picture{}, fmt.Errorf("header says %dx%d, the picture is %dx%d", h.W, h.H, cfg.Width, cfg.Height)
	}
	// ReadMessage gives each message a buffer of its own: m.Data is
	// nobody else's, and is never written to again.
	return Picture{JPEG: m.Data, W: cfg.Width, H: cfg.Height, Detections: h.Detections, Meta: h.Meta}, nil
}

// refusals logs a producer's refused messages: the first, then at most a
// line per refusedLogEvery that counts them. Used by the reader alone.
type refusals struct {
	log    *slog.Logger
	n      int // since the last line
	logged time.Time
}

func (r *refusals) add(err error, now time.Time) {
	r.n++
	if now.Sub(r.logged) < refusedLogEvery {
		return
	}
	r.log.Warn("producer messages refused", "count", r.n, "err", err)
	r.n, r.logged = 0, now
}
