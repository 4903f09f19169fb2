package server

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"framecast/backend/hub"
	"framecast/backend/internal/directwrite"
	"framecast/backend/links"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Timing of a WebSocket viewer, named as in gorilla's chat example.
const (
	// writeWait bounds one write; a peer that takes longer is dropped.
	writeWait = protocol.WriteWait
	// maxMessageSize bounds what a viewer may send: acks are tiny.
	maxMessageSize = 4096
	// ackTimeout forgets an in-flight frame whose ack never came, so a lost
	// ack cannot stall a viewer for good.
	ackTimeout = 5 * time.Second
	// queueLimit: when a viewer's acks come this much later than its fastest
	// ever, frames are queueing in front of it (a slow reader or link). A
	// second frame in flight would only wait there and go stale, so such a
	// viewer gets one frame at a time.
	queueLimit = 50 * time.Millisecond
)

// wsViewer is one WebSocket viewer, in three parts with one owner each:
// readPump alone reads from conn (acks, pongs); flight, the frames in
// flight, is added to by the writer and taken from by readPump's acks,
// under its own lock; out owns every write to the socket (viewerOut).
type wsViewer struct {
	h    *Handler
	conn *websocket.Conn
	sub  *hub.Subscriber

	// dataURL marks an old-style viewer (?format=dataurl): it gets each frame
	// as a text data URL and never acks, so only its own reading paces it.
	dataURL bool
	// operator marks the operator's own viewer (isOperator): it gets the
	// source in status events whole; other viewers get it without
	// credentials.
	operator bool
	pongWait time.Duration // httpx.Limits.PongWait
	// asked is the codec the viewer asked for (?codec=), and codec the one
	// it takes now (codecFor): protocol.CodecJPEG or CodecH264; its hub
	// keys are its renditions in it (hub.CodecKey). codec is the writer's
	// (v.out.mu), as the rest of what the viewer takes.
	asked, codec string

	flight flight
	out    viewerOut

	// session counts the viewer under its link (and audits it); its
	// link's name is link, "" the stream's own.
	session *links.Session
	link    string

	// kick holds the reason when the server ends the connection itself;
	// gone is set when the peer has gone. Both then poke the writer, so
	// it waits on one channel for everything but pings.
	kick atomic.Pointer[protocol.Bye]
	gone atomic.Bool
	// readDone is closed by readPump when the peer has gone.
	readDone chan struct{}
}

func (sh *Handler) serveWS(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "binary" && format != "dataurl" {
		http.Error(w, "format must be binary (the default) or dataurl", http.StatusBadRequest)
		return
	}
	asked, err := askedCodec(r.URL.Query().Get("codec"), format)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	epoch := sh.hub.RenditionsEpoch() // before the ladder: a change after it is seen
	ladder := sh.ladder()
	key, pinned, release, ok := sh.admitRendition(w, r, ladder)
	if !ok {
		return
	}
	defer release()
	kind := "ws"
	if onLoopbackListener(r.Context()) {
		kind = "preview" // the desktop app's own window
	}
	codec := sh.codecFor(asked)
	cut := &cutter{}
	var subscribed atomic.Pointer[hub.Subscriber] // for the bytes sent so far
	session, ok := sh.join(w, r, links.Viewer{Kind: kind, Codec: codec, Rendition: key, Cut: cut.cut,
		Bytes: func() uint64 {
			if sub := subscribed.Load(); sub != nil {
				return sub.Stats(time.Now()).Bytes
			}
			return 0
		}})
	if !ok {
		return
	}
	// Subscribe before the upgrade completes, so no frame published after
	// the viewer's handshake is missed.
	sub := sh.hub.Subscribe(kind, r.RemoteAddr, hub.CodecKey(key, codec))
	subscribed.Store(sub)
	conn, err := sh.upgrader.Upgrade(w, r, nil)
	if err != nil {
		sh.hub.Unsubscribe(sub)
		session.End(0)
		return // the upgrader has already replied
	}
	v := &wsViewer{
		h: sh, conn: conn, sub: sub, session: session, link: grantOf(r).Link,
		readDone: make(chan struct{}), dataURL: format == "dataurl", pongWait: sh.pongWait, operator: isOperator(r), asked: asked, codec: codec,
		out: viewerOut{pinned: pinned, want: wanted(key, pinned, ladder), ladder: ladder, epoch: epoch},
	}
	v.needKey(sub.Rendition()) // an H.264 viewer starts at a keyframe
	v.adapting(ladder, key, time.Now())
	if gc, ok := conn.UnderlyingConn().(directwrite.Gated); ok && gc.Gate().Direct() && !v.dataURL {
		v.out.gate = gc.Gate() // trySend is given to the hub after hello
	}
	if !sh.handlers.Add(conn) {
		sh.hub.Unsubscribe(sub)
		session.End(0)
		_ = conn.Close() // the stream is closing
		return
	}
	sh.viewersMu.Lock()
	sh.viewers[v] = struct{}{}
	sh.viewersMu.Unlock()
	cut.attach(v)
	go v.readPump()
	defer func() {
		sh.viewersMu.Lock()
		delete(sh.viewers, v)
		sh.viewersMu.Unlock()
		rendition, _ := hub.SplitKey(v.sub.Rendition())
		session.Describe(v.codec, rendition)
		session.End(v.sub.Stats(time.Now()).Bytes)
		sh.hub.Unsubscribe(v.sub)
		_ = conn.Close()
		<-v.readDone // the close ends readPump
		sh.handlers.Done(conn)
	}()
	v.writePump(v.hello(ladder, key))
}

// hello is what the viewer is told of the stream, of ladder and of what it
// takes: the rendition (key, from ladder) and its codec. The writer calls
// it, or serveWS before the writer starts.
func (v *wsViewer) hello(ladder []protocol.Rendition, key string) protocol.Hello {
	sh := v.h
	st := sh.stream.Stats()
	h := protocol.Hello{Type: "hello", Stream: sh.name, State: sh.hub.Status().State,
		W: st.Width, H: st.Height, Quality: st.Quality, MaxInFlight: protocol.MaxInFlight, Codec: codecName(v.codec)}
	if len(ladder) > 1 {
		h.Renditions, h.Rendition = ladder, "auto"
		if v.out.pinned {
			h.Rendition = ladder[0].Name
			if key != "" {
				h.Rendition = key
			}
		}
	}
	return h
}

// readPump reads acks until the peer goes away. Pongs move the read
// deadline, as in gorilla's chat example, and so do acks: on a slow link a
// ping waits behind the frames already in flight, and a viewer still taking
// large frames may answer it only after pongWait, though each ack it sends
// shows it is there. The deadline moves only when it has come a second (or
// a quarter of pongWait) closer, so an ack a frame costs no timer change.
func (v *wsViewer) readPump() {
	defer close(v.readDone)
	defer v.sub.Poke()
	defer v.gone.Store(true)
	v.conn.SetReadLimit(maxMessageSize)
	var deadline time.Time // the read deadline last set; only this goroutine touches it
	slack := min(time.Second, v.pongWait/4)
	alive := func(now time.Time) error {
		if deadline.Sub(now) > v.pongWait-slack {
			return nil
		}
		deadline = now.Add(v.pongWait)
		return v.conn.SetReadDeadline(deadline)
	}
	_ = alive(time.Now())
	v.conn.SetPongHandler(func(string) error { return alive(time.Now()) })
	// One buffer for every message: an ack a frame, for as long as the
	// viewer watches, should cost no allocation.
	buf := make([]byte, maxMessageSize)
	for {
		kind, r, err := v.conn.NextReader()
		if err != nil {
			return
		}
		n, err := io.ReadFull(r, buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return // over the read limit, or the connection failed
		}
		if kind != websocket.TextMessage {
			continue
		}
		seq, ok := protocol.ParseAck(buf[:n])
		if !ok {
			if protocol.IsKeyRequest(buf[:n]) {
				if key := v.sub.Rendition(); hub.IsInterKey(key) {
					v.h.hub.RequestKey(key)
				}
			}
			continue // nothing else a viewer says changes anything
		}
		now := time.Now()
		v.acked(seq, now)
		if alive(now) != nil {
			return
		}
	}
}

// writePump sends hello, then status changes and frames as room allows.
func (v *wsViewer) writePump(hello protocol.Hello) {
	ticker := time.NewTicker(v.pongWait * 2 / 3)
	defer ticker.Stop()
	v.out.mu.Lock()
	var err error
	if !v.dataURL {
		err = v.writeJSON(hello)
	}
	v.out.mu.Unlock()
	if err != nil {
		return // old-style pages would take any text for a picture
	}
	if v.out.gate != nil {
		v.sub.SetDirect(v.trySend) // frames may now come before writePump wakes
	}
	for {
		select {
		case <-ticker.C:
			v.out.mu.Lock()
			v.setDeadline(time.Now())
			err := v.conn.WriteMessage(websocket.PingMessage, nil)
			v.out.mu.Unlock()
			if err != nil {
				return
			}
		case <-v.sub.Wake():
			v.out.mu.Lock()
			more := v.woken()
			v.out.mu.Unlock()
			if !more {
				return
			}
		}
	}
}

// woken does what a wake-up asks: ends the connection, sends a new list of
// renditions, a status or the waiting frame. It reports whether to go on;
// v.out.mu is held.
func (v *wsViewer) woken() bool {
	if v.gone.Load() {
		return false
	}
	if bye := v.kick.Load(); bye != nil {
		v.bye(bye)
		return false
	}
	if v.out.gate != nil {
		v.setDeadline(time.Now())
		if v.out.gate.Flush() != nil {
			return false
		}
	}
	if e := v.h.hub.RenditionsEpoch(); e != v.out.epoch {
		v.out.epoch = e
		if v.relist(time.Now()) != nil {
			return false
		}
	}
	if st := v.sub.TakeStatus(); st != nil && !v.dataURL {
		if !v.operator {
			pub := st.Public()
			st = &pub
		}
		if v.writeJSON(st) != nil {
			return false
		}
	}
	now := time.Now()
	if !v.room(now) {
		return true // the next ack pokes us again
	}
	if f := v.sub.TakeFrame(); f != nil && v.decodable(f) {
		v.setDeadline(now)
		v.sending(f, now)
		if v.writeFrame(f) != nil {
			return false
		}
		v.sent(f, now)
	}
	return true
}

// sent counts a frame written and lets the adapter judge the link; v.out.mu
// is held.
func (v *wsViewer) sent(f *hub.Frame, now time.Time) {
	v.sub.Delivered(now, len(f.Data))
	v.out.nSent++
	if v.out.adapt != nil {
		if key, changed := v.out.adapt.observe(now, v.out.nSent, v.sub.Drops()); changed {
			v.setKey(key)
		}
	}
}

// bye tells the viewer why the server ends the connection, and closes it.
func (v *wsViewer) bye(bye *protocol.Bye) {
	if !v.dataURL {
		_ = v.writeJSON(bye)
	}
	_ = v.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseGoingAway, bye.Reason), time.Now().Add(time.Second))
}

// writeFrame writes f: an old-style viewer's data URL through gorilla, a
// binary frame as its bytes, framed once for every viewer. Each Write of the
// connection underneath is whole (the gate, tls.Conn and net.TCPConn each
// hold a lock for it), so gorilla's pongs cannot land inside the frame.
func (v *wsViewer) writeFrame(f *hub.Frame) error {
	if v.dataURL {
		return v.conn.WritePreparedMessage(LegacyForm.Of(f).DataURL)
	}
	_, err := v.conn.UnderlyingConn().Write(framed.Of(f))
	return err
}

// setDeadline gives the next write writeWait from now. The deadline is moved
// only when it has come a second closer, so a frame a viewer costs no timer
// change; a peer that stops reading is still dropped within writeWait.
func (v *wsViewer) setDeadline(now time.Time) {
	if v.out.deadline.Sub(now) > writeWait-time.Second {
		return
	}
	v.out.deadline = now.Add(writeWait)
	_ = v.conn.SetWriteDeadline(v.out.deadline)                  // gorilla's writes
	_ = v.conn.UnderlyingConn().SetWriteDeadline(v.out.deadline) // writeFrame's and trySend's
}

func (v *wsViewer) writeJSON(msg any) error {
	v.setDeadline(time.Now())
	return v.conn.WriteJSON(msg)
}
