package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"framecast/backend/ingest"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// wantEvery: how often the renditions viewers take are looked at. The
// producer link's other timings are the protocol's (protocol.WriteWait,
// ProducerPongWait, ProducerPingPeriod).
const wantEvery = 250 * time.Millisecond

var producerUpgrader = websocket.Upgrader{
	ReadBufferSize:  64 << 10,
	WriteBufferSize: 4096,
	// Producers are programs, not pages: no browser Origin is expected, and
	// a page from another site must not publish with a visitor's token.
	CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "" },
}

// publisher is one producer connection. Its reader goroutine alone reads
// from conn; writes (errors, pings, the closing frame) go through writeMu.
type publisher struct {
	conn    *websocket.Conn
	addr    string
	wait    time.Duration // how long it may stay silent
	writeMu sync.Mutex
	heard   atomic.Int64 // when it last sent a message, Unix ns

	mu sync.Mutex
	// kicked is why the relay ends the connection, once it does; after that
	// the read deadline stays in the past. Guarded by mu.
	kicked string
}

func newPublisher(conn *websocket.Conn, addr string, wait time.Duration) *publisher {
	p := &publisher{conn: conn, addr: addr, wait: wait}
	p.heard.Store(time.Now().UnixNano())
	return p
}

// lastHeard is when the producer last sent a message.
func (p *publisher) lastHeard() time.Time { return time.Unix(0, p.heard.Load()) }

// kick ends the connection from the relay's side: the reader wakes at once.
func (p *publisher) kick(reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kicked == "" {
		p.kicked = reason
	}
	_ = p.conn.SetReadDeadline(time.Now())
}

// extend gives the producer its wait more to say something, unless it has
// been kicked.
func (p *publisher) extend() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kicked == "" {
		_ = p.conn.SetReadDeadline(time.Now().Add(p.wait))
	}
}

func (p *publisher) kickReason() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kicked
}

func (p *publisher) write(kind int, data []byte) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	_ = p.conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	return p.conn.WriteMessage(kind, data)
}

// closeWith sends a close frame with code and reason.
func (p *publisher) closeWith(code int, reason string) {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	_ = p.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

// send writes one control message to the producer.
func (p *publisher) send(m protocol.RelayMessage) error {
	msg, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("control message %T: %w", m, err)
	}
	return p.write(websocket.TextMessage, msg)
}

// refuse tells the producer why its message was not broadcast.
func (p *publisher) refuse(err error) error {
	return p.send(protocol.NewRefusal(protocol.Truncate(err.Error(), maxRefusal)))
}

// readLimit bounds one producer message: a picture, a third bigger in
// base64, and its header.
func (rl *Relay) readLimit() int64 { return int64(rl.cfg.MaxFrame)*4/3 + 64<<10 }

// ingest runs one producer on /ingest, whose request has passed every
// check, until it goes away or is replaced.
func (rl *Relay) ingest(w http.ResponseWriter, r *http.Request, name, viewToken string) {
	conn, err := producerUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has replied; nothing has changed
	}
	defer conn.Close()
	if !rl.handlers.Add(conn) {
		return // the relay is closing
	}
	defer rl.handlers.Done(conn)
	p := newPublisher(conn, r.RemoteAddr, protocol.ProducerPongWait)
	log := rl.log.With("stream", name, "producer", r.RemoteAddr)
	s, err := rl.attach(p, name, viewToken)
	if err != nil {
		// Another producer took the stream between the check and now.
		log.Info("producer refused", "err", err)
		p.closeWith(websocket.ClosePolicyViolation, err.Error())
		return
	}
	log.Info("producer connected")
	conn.SetReadLimit(rl.readLimit())
	conn.SetPongHandler(func(string) error { p.extend(); return nil })
	stop := make(chan struct{})
	pinged := make(chan struct{})
	go func() {
		defer close(pinged)
		p.tellViewers(s, stop)
	}()
	reason := rl.readProducer(p, s, log)
	close(stop)
	<-pinged
	s.detach(p, reason)
	log.Info("producer gone", "reason", reason)
}

// attach opens the stream and makes p its producer; a stream forgotten in
// between is opened again.
func (rl *Relay) attach(p *publisher, name, viewToken string) (*Stream, error) {
	for {
		s := rl.table.Open(name, viewToken)
		err := s.attach(p, viewToken)
		if errors.Is(err, errGone) {
			continue
		}
		if err == nil && rl.bus != nil {
			// One producer cluster-wide: claimed before any frame goes out.
			n := s.offeredLinks()
			e := Entry{Hash: protocol.HashToken(viewToken), Since: time.Now(), Viewers: s.viewers(), Links: n.Links, LinksAt: n.At}
			if err = rl.bus.Claim(name, e); err != nil {
				s.detach(p, "refused by the cluster")
			}
		}
		return s, err
	}
}

// tellViewers tells a Framecast producer how many watch (and with which of
// its links), so it can stop capturing while nobody does, what they take,
// and when they wait for a keyframe; sends it the records of its viewers'
// connections that ended; and pings it, until stop is closed.
func (p *publisher) tellViewers(s *Stream, stop <-chan struct{}) {
	t := time.NewTicker(protocol.ProducerPingPeriod)
	defer t.Stop()
	// In a cluster, viewers on other relays come and go without this hub
	// changing: look again every linkEvery.
	var cluster <-chan time.Time
	if s.link != nil {
		ct := time.NewTicker(linkEvery)
		defer ct.Stop()
		cluster = ct.C
	}
	// Viewers move between renditions without the hub's count changing:
	// which ones they take is looked at this often.
	wants := time.NewTicker(wantEvery)
	defer wants.Stop()
	keys := newKeyTimer()
	defer keys.stop()
	var lastWant []string
	lastExact := false
	last := -1
	var lastLinks map[string]int
	for {
		changed, asked, audited := s.hub.Changed(), s.hub.KeyAsked(), s.audit.waiting()
		if n, counts := s.viewers(), s.linkCounts(); n != last || !maps.Equal(counts, lastLinks) {
			if p.send(protocol.NewViewerCount(n).WithLinks(counts)) != nil {
				return
			}
			last, lastLinks = n, counts
		}
		if want, exact := s.wanted(); !slices.Equal(want, lastWant) || exact != lastExact {
			if p.send(protocol.NewRenditionsWant(want, exact)) != nil {
				return
			}
			lastWant, lastExact = want, exact
		}
		next, err := s.passKeys(time.Now(), func(key string) error { return p.send(protocol.NewKeyframeWant(key)) })
		if err != nil {
			return
		}
		keys.set(next)
		select {
		case <-stop:
			return
		case <-changed:
		case <-asked:
		case <-keys.t.C:
		case <-wants.C:
		case <-cluster:
		case <-audited:
			if p.sendAudit(s) != nil {
				return
			}
		case <-t.C:
			if p.write(websocket.PingMessage, nil) != nil {
				return
			}
		}
	}
}

// sendAudit sends the producer the records of connections that ended,
// a message at a time.
func (p *publisher) sendAudit(s *Stream) error {
	for {
		recs, dropped := s.audit.take()
		if dropped > 0 {
			s.log.Warn("viewers' records dropped: the producer was away too long", "count", dropped)
		}
		if len(recs) == 0 {
			return nil
		}
		if err := p.send(protocol.NewAuditRecords(recs)); err != nil {
			s.audit.add(recs...) // for the producer's next connection
			return err
		}
	}
}

// readProducer reads a Framecast producer's messages until it goes, and
// says why it went. Refused messages get an error reply: Framecast's push
// reads them.
func (rl *Relay) readProducer(p *publisher, s *Stream, log *slog.Logger) string {
	for {
		p.extend()
		kind, msg, err := p.conn.ReadMessage()
		if err != nil {
			if kicked := p.kickReason(); kicked != "" {
				p.closeWith(websocket.CloseGoingAway, kicked)
				return kicked
			}
			if errors.Is(err, websocket.ErrReadLimit) {
				log.Warn("producer message over the size limit", "limit", rl.cfg.MaxFrame)
			}
			return "the producer went away"
		}
		now := time.Now()
		p.heard.Store(now.UnixNano())
		if err := rl.handleMessage(p, s, kind, msg, now); err != nil {
			if p.refuse(err) != nil {
				return "the producer went away"
			}
		}
	}
}

// handleMessage checks one producer message and passes it on; a refused
// one is counted and its error returned. Nothing a producer sends may make
// it panic (FuzzProducerMessages).
func (rl *Relay) handleMessage(p *publisher, s *Stream, kind int, msg []byte, now time.Time) error {
	var m ingest.Message
	var err error
	var legacyText []byte
	if kind == websocket.TextMessage && protocol.IsControl(msg) {
		err = s.control(p, msg)
		if err != nil {
			rl.refused(s, err, p.addr, now)
		}
		return err
	}
	if kind == websocket.BinaryMessage {
		m, err = ingest.ParseBinary(msg, rl.cfg.MaxFrame)
	} else {
		m, err = ingest.ParseText(msg, rl.cfg.MaxFrame)
		legacyText = msg
	}
	if kind == websocket.BinaryMessage || bytes.HasPrefix(msg, []byte(protocol.LegacyPictureKey)) {
		s.in.Tick(now) // a picture arrived, good or not
	}
	if err == nil {
		err = s.publish(p, m, legacyText)
	}
	if err != nil {
		rl.refused(s, err, p.addr, now)
	}
	return err
}

// refused counts and logs a refused producer message.
func (rl *Relay) refused(s *Stream, err error, addr string, now time.Time) {
	if rl.metrics != nil {
		rl.metrics.IngestError()
	}
	s.refused(err, addr, now)
}
