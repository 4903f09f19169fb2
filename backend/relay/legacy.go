package relay

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/hub"
	"framecast/backend/ingest"
	"framecast/backend/protocol"
	"framecast/backend/server"

	"github.com/gorilla/websocket"
)

// The root "/" with LegacyIngest is the old Node.js relay, without its
// unbounded queues. Its producer and its pages connect to the same URL; the
// producer sends "img=sq=data:image/jpeg;base64,…" pictures and
// "key=sq=value" metadata, and never reads. Every client starts as a viewer
// and gets the producer's messages as the old relay forwarded them; a
// client that sends a picture is a producer from then on and is sent
// nothing. Old pages say other things ("Hello WebSockets!"): those change
// nothing.

// maxRootText bounds a root client's text message that is not a picture:
// metadata is at most a 64-byte key and a 4,096-byte value.
const maxRootText = protocol.MaxMetaKey + len(protocol.LegacySep) + protocol.MaxMetaValue

// Roles of a root client.
const (
	roleViewer   int32 = iota // gets the stream
	roleSender                // sent a picture while another producer was live; gets nothing
	roleProducer              // the stream's producer; gets nothing
)

// anyOrigin accepts a root client from any site. Pages written for the old
// relay live wherever their authors put them and connect to its root, so an
// Origin check would break every one of them; the root is open (or has
// --legacy-token) by design, and says so at start.
func anyOrigin(*http.Request) bool { return true }

// newRootUpgrader upgrades root clients; they borrow a write buffer only
// while they write metadata (pictures are prepared messages).
func newRootUpgrader() websocket.Upgrader {
	return websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}, CheckOrigin: anyOrigin}
}

// rootClient is one connection on "/". Only serveRoot's goroutine reads
// from conn; only writePump writes to it.
type rootClient struct {
	rl   *Relay
	s    *Stream
	conn *websocket.Conn
	p    *publisher // this client as a producer, once it sends pictures
	sub  *hub.Subscriber
	role atomic.Int32
	// early is what the client said in "key=sq=value" form before its
	// first picture, at most protocol.MaxMetaKeys messages: a producer's
	// metadata if a picture follows. Only the reader uses it.
	early [][]byte
	// readDone is closed when the reader has returned.
	readDone chan struct{}
}

// serveRoot serves the old relay's root: its producer and its pages.
func (rl *Relay) serveRoot(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "This is a Framecast relay's old-style WebSocket endpoint: connect with a WebSocket. "+
			"Viewers open /s/"+rl.legacy.Name+"/?token=… instead.", http.StatusUpgradeRequired)
		return
	}
	if rl.cfg.LegacyToken != "" && !protocol.EqualTokens(r.URL.Query().Get("token"), rl.cfg.LegacyToken) {
		if rl.guard.Refused(w, r) {
			return
		}
		http.Error(w, "401 unauthorized: this relay's root needs ?token=", http.StatusUnauthorized)
		return
	}
	s := rl.legacy
	release, ok := s.handler.Admit(w, r)
	if !ok {
		return
	}
	defer release()
	// Subscribe before the upgrade completes, as /ws viewers are: a page
	// that has its handshake gets every message the producer sends after
	// it, even when this goroutine runs late.
	sub := s.hub.SubscribeMeta("legacy", r.RemoteAddr)
	conn, err := rl.rootUpgrader.Upgrade(w, r, nil)
	if err != nil {
		s.hub.Unsubscribe(sub)
		return
	}
	defer conn.Close()
	if !rl.handlers.Add(conn) {
		s.hub.Unsubscribe(sub)
		return // the relay is closing
	}
	defer rl.handlers.Done(conn)
	c := &rootClient{rl: rl, s: s, conn: conn, p: newPublisher(conn, r.RemoteAddr, max(s.handler.PongWait(), protocol.ProducerPongWait)),
		sub: sub, readDone: make(chan struct{})}
	defer s.hub.Unsubscribe(c.sub)
	written := make(chan struct{})
	go func() {
		defer close(written)
		c.writePump()
		// A write that failed or timed out ends the client: wake the reader.
		c.p.Kick("the connection failed")
	}()
	reason := c.readPump()
	close(c.readDone)
	<-written
	if c.role.Load() == roleProducer {
		s.detach(c.p, reason)
		rl.log.Info("old-style producer gone", "stream", s.Name, "producer", r.RemoteAddr, "reason", reason)
	}
}

// readPump reads the client's messages until it goes, and says why.
func (c *rootClient) readPump() string {
	c.conn.SetReadLimit(c.rl.readLimit())
	c.conn.SetPongHandler(func(string) error { c.p.Extend(); return nil })
	for {
		c.p.Extend()
		kind, rd, err := c.conn.NextReader()
		if err != nil {
			if kicked := c.p.Kicked(); kicked != "" {
				return kicked
			}
			return "the producer went away"
		}
		now := time.Now()
		c.p.heard.Store(now.UnixNano())
		if err := c.read(kind, rd, now); err != nil {
			return "the producer went away"
		}
	}
}

// read takes one message. Only a connection error is returned: the client
// never hears of a refusal, since an old producer never reads.
func (c *rootClient) read(kind int, rd io.Reader, now time.Time) error {
	head := make([]byte, len(protocol.LegacyPicturePrefix))
	n, err := io.ReadFull(rd, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	head = head[:n]
	picture := kind == websocket.TextMessage && bytes.HasPrefix(head, []byte(protocol.LegacyPictureKey))
	if !picture {
		rest, err := io.ReadAll(io.LimitReader(rd, int64(maxRootText)))
		if err != nil {
			return err
		}
		msg := append(head, rest...)
		if _, err := io.Copy(io.Discard, rd); err != nil {
			return err
		}
		switch c.role.Load() {
		case roleProducer:
			if len(msg) > maxRootText {
				c.rl.refused(c.s, ingest.ErrMetaTooLong, c.p.addr, now)
				return nil
			}
			_ = c.rl.handleMessage(c.p, c.s, kind, msg, now)
		case roleSender:
			c.rl.refused(c.s, errProducerLive, c.p.addr, now)
		case roleViewer:
			// A viewer's words change nothing, but a producer may say
			// something before its first picture: keep it until then.
			if kind == websocket.TextMessage && len(msg) <= maxRootText && bytes.Contains(msg, []byte(protocol.LegacySep)) && len(c.early) < protocol.MaxMetaKeys {
				c.early = append(c.early, msg)
			}
		}
		return nil
	}
	if c.role.Load() != roleProducer {
		if err := c.s.attachLegacy(c.p, now); err != nil {
			c.becomeSender()
			c.rl.refused(c.s, err, c.p.addr, now)
			_, err = io.Copy(io.Discard, rd)
			return err
		}
		c.becomeProducer()
		for _, msg := range c.early {
			_ = c.rl.handleMessage(c.p, c.s, websocket.TextMessage, msg, now)
		}
		c.early = nil
	}
	rest, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	_ = c.rl.handleMessage(c.p, c.s, kind, append(head, rest...), now)
	return nil
}

// becomeSender stops sending the stream to a client that sends pictures.
func (c *rootClient) becomeSender() {
	if c.role.CompareAndSwap(roleViewer, roleSender) {
		c.s.hub.Unsubscribe(c.sub)
	}
}

func (c *rootClient) becomeProducer() {
	c.becomeSender()
	c.role.Store(roleProducer)
	c.rl.log.Info("old-style producer connected", "stream", c.s.Name, "producer", c.p.addr)
}

// writePump sends a viewer the producer's pictures and metadata, as the old
// relay did, newest picture first; producers get only pings.
func (c *rootClient) writePump() {
	ticker := time.NewTicker(c.s.handler.PongWait() * 2 / 3)
	defer ticker.Stop()
	for {
		select {
		case <-c.readDone:
			return
		case <-c.s.handler.Done():
			_ = c.conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseGoingAway, "the relay is shutting down"), time.Now().Add(time.Second))
			c.p.Kick("the relay is shutting down")
			return
		case <-ticker.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
			if c.conn.WriteMessage(websocket.PingMessage, nil) != nil {
				return
			}
		case <-c.sub.Wake():
			if c.role.Load() == roleViewer && c.writeView() != nil {
				return
			}
		}
	}
}

// writeView sends what waits in the viewer's mailbox in the producer's
// order: values sent before the waiting picture, the picture, then values
// sent after it.
func (c *rootClient) writeView() error {
	_ = c.sub.TakeStatus() // old pages know no status messages
	f := c.sub.TakeFrame()
	metas := c.sub.TakeMeta()
	deadline := time.Now().Add(protocol.WriteWait)
	_ = c.conn.SetWriteDeadline(deadline)
	i := 0
	if f != nil {
		for ; i < len(metas) && metas[i].After < f.Header.Seq; i++ {
			if err := c.writeMeta(metas[i]); err != nil {
				return err
			}
		}
		if err := c.conn.WritePreparedMessage(server.LegacyForm.Of(f).Text); err != nil {
			return err
		}
		c.sub.Delivered(time.Now(), len(f.Data))
	}
	for ; i < len(metas); i++ {
		if err := c.writeMeta(metas[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *rootClient) writeMeta(m hub.Meta) error {
	return c.conn.WriteMessage(websocket.TextMessage, []byte(m.Key+protocol.LegacySep+m.Value))
}
