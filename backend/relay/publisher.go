package relay

import (
	"bytes"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
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

// publisher is one producer connection: its ingest.Link (its reader
// goroutine alone reads from the connection; every write goes through the
// Link), and where and when it was heard from.
type publisher struct {
	*ingest.Link
	addr  string
	heard atomic.Int64 // when it last sent a message, Unix ns
}

func newPublisher(conn *websocket.Conn, addr string, wait time.Duration) *publisher {
	p := &publisher{Link: ingest.NewLink(conn, wait), addr: addr}
	p.heard.Store(time.Now().UnixNano())
	return p
}

// lastHeard is when the producer last sent a message.
func (p *publisher) lastHeard() time.Time { return time.Unix(0, p.heard.Load()) }

// readLimit bounds one producer message: a picture, a third bigger in
// base64, and its header.
func (rl *Relay) readLimit() int64 { return int64(rl.cfg.MaxFrame)*4/3 + 64<<10 }

// ingest runs one producer on /ingest, whose request has passed every
// check, until it goes away or is replaced.
func (rl *Relay) ingest(w http.ResponseWriter, r *http.Request, name, viewToken string) {
	conn, err := ingest.Upgrade(w, r)
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
		p.CloseWith(websocket.ClosePolicyViolation, err.Error())
		return
	}
	log.Info("producer connected")
	conn.SetReadLimit(rl.readLimit())
	conn.SetPongHandler(func(string) error { p.Extend(); return nil })
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
			e := Entry{Hash: protocol.HashToken(viewToken), Since: time.Now(), Viewers: s.viewers(), Links: n.Links, LinksAt: n.At, LinksHeld: n.Held}
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
			if p.Send(protocol.NewViewerCount(n).WithLinks(counts)) != nil {
				return
			}
			last, lastLinks = n, counts
		}
		if want, exact := s.wanted(); !slices.Equal(want, lastWant) || exact != lastExact {
			if p.Send(protocol.NewRenditionsWant(want, exact)) != nil {
				return
			}
			lastWant, lastExact = want, exact
		}
		next, err := s.passKeys(time.Now(), func(key string) error { return p.Send(protocol.NewKeyframeWant(key)) })
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
			if p.Ping() != nil {
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
		if err := p.Send(protocol.NewAuditRecords(recs)); err != nil {
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
		p.Extend()
		kind, msg, err := p.Conn().ReadMessage()
		if err != nil {
			if kicked := p.Kicked(); kicked != "" {
				p.CloseWith(websocket.CloseGoingAway, kicked)
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
			if p.Refuse(err) != nil {
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
