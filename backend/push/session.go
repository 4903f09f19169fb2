package push

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// session is one connection to a relay, from the handshake to its end.
// Only the push goroutine (run) writes to conn and uses the other fields;
// only read reads from conn, and hands what it heard over through in.
type session struct {
	p    *Pusher
	conn *websocket.Conn
	// sub takes the stream's own size in JPEG while the relay has viewers
	// and, from a relay that sends exact lists, while "" is in its list;
	// nil otherwise (demand).
	sub *hub.Subscriber
	// more takes the other renditions and codecs the relay asked for.
	more *extras
	// watching: the relay has viewers; ownJPEG: the relay's last list
	// asks for the own size in JPEG (always, from one that sends no
	// exact lists).
	watching, ownJPEG bool
	// offered is what the relay was last told of, and epoch the hub's
	// RenditionsEpoch when it was looked at.
	offered offering
	epoch   uint64
	in      inbox
	// relay names the relay in the Book's counts and records (relayID).
	relay string
	// linksSent are the links the relay was last told of (links.go); nil
	// before the first offer.
	linksSent []protocol.LinkOffer
	// noLinks: the relay refused links (it is older); set by read.
	noLinks atomic.Bool
	// linksWake is closed at the next change of the links after the last
	// offer (Book.Changed); nil without links, or once they are refused.
	linksWake <-chan struct{}
}

// inbox is what the relay said, handed from read to the push goroutine.
// Each channel holds one value, the newest: a count or list not yet taken
// is replaced.
type inbox struct {
	err     chan error                   // why the connection ended; read sends it once
	viewers chan int                     // how many watch on the relay (ViewerCount)
	wants   chan protocol.RenditionsWant // what they take (RenditionsWant)
	done    chan struct{}                // closed when read has returned
}

// session connects once to the relay at ingest and pushes until the
// connection fails.
func (p *Pusher) session(ctx context.Context, ingest string) error {
	conn, err := p.dial(ctx, ingest)
	if err != nil {
		return err
	}
	p.connected(ingest)
	s := p.newSession(conn, ingest)
	defer s.close()
	return s.run(ctx)
}

// newSession starts reading the relay on conn, and takes frames as if
// somebody watched there until it says how many do.
func (p *Pusher) newSession(conn *websocket.Conn, ingest string) *session {
	s := &session{p: p, conn: conn, more: newExtras(p.hub, protocol.Redact(p.cfg.URL)), ownJPEG: true, relay: relayID(ingest),
		in: inbox{err: make(chan error, 1), viewers: make(chan int, 1), wants: make(chan protocol.RenditionsWant, 1), done: make(chan struct{})}}
	s.watch(true)
	go s.read()
	return s
}

// close ends the connection and lets go of the hub's frames once read has
// returned; the relay's viewers per link are no longer known.
func (s *session) close() {
	s.more.closeAll()
	s.watch(false)
	_ = s.conn.Close()
	<-s.in.done
	s.heardLinks(nil)
}

// watch follows whether somebody watches on the relay (demand).
func (s *session) watch(watching bool) {
	s.watching = watching
	s.demand()
}

// wanted follows what the relay's viewers take: the hub keys named, and
// the own size in JPEG when the list is not exact or names it.
func (s *session) wanted(w protocol.RenditionsWant) {
	s.more.want(w.Want)
	s.ownJPEG = !w.Exact || slices.Contains(w.Want, "")
	s.demand()
}

// demand takes the stream's own size in JPEG while somebody watches on the
// relay and takes it: with nobody, the push takes none, so local capture
// can stop when nobody watches here either.
func (s *session) demand() {
	switch watching := s.watching && s.ownJPEG; {
	case watching && s.sub == nil:
		s.sub = s.p.hub.Subscribe("push", protocol.Redact(s.p.cfg.URL), "")
	case !watching && s.sub != nil:
		s.p.hub.Unsubscribe(s.sub)
		s.sub = nil
	}
}

// run offers the ladder and sends frames, pings and what the relay asks
// for, until ctx ends or the connection fails.
func (s *session) run(ctx context.Context) error {
	s.epoch = s.p.hub.RenditionsEpoch()
	s.offered = s.p.offering()
	if !s.offered.none() {
		if err := offer(s.conn, s.offered); err != nil {
			return err
		}
	}
	if err := s.offerLinks(); err != nil {
		return err
	}
	ping := time.NewTicker(protocol.ProducerPingPeriod)
	defer ping.Stop()
	for {
		if err := s.reoffer(); err != nil {
			return err
		}
		var wake <-chan struct{}
		if s.sub != nil {
			wake = s.sub.Wake()
		}
		select {
		case <-ctx.Done():
			_ = s.conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseGoingAway, "producer stopping"), time.Now().Add(time.Second))
			return ctx.Err()
		case err := <-s.in.err:
			return fmt.Errorf("relay closed the connection: %w", err)
		case w := <-s.in.wants:
			s.wanted(w)
		case <-s.linksWake:
			if err := s.offerLinks(); err != nil {
				return err
			}
		case n := <-s.in.viewers:
			s.watch(n > 0)
			s.p.heard(n)
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(protocol.WriteWait)); err != nil {
				return err
			}
		case <-s.more.wake:
			for _, f := range s.more.frames() {
				if err := send(s.conn, f); err != nil {
					return err
				}
				if f.Header.Rendition == "" && !s.ownJPEG {
					s.p.sent() // the own size, in another codec alone
				}
			}
		case <-wake:
			if err := s.sendOwn(); err != nil {
				return err
			}
		}
	}
}

// reoffer tells the relay of the ladder and codecs again when they changed
// with the local source, max size or settings, so its viewers of a
// rendition or codec no longer made are moved (the engine's
// RenditionsChanged also wakes sub).
func (s *session) reoffer() error {
	e := s.p.hub.RenditionsEpoch()
	if e == s.epoch {
		return nil
	}
	s.epoch = e
	o := s.p.offering()
	if o.equal(s.offered) {
		return nil
	}
	s.offered = o
	return offer(s.conn, o)
}

// sendOwn sends the waiting frame of the stream's own size, if any.
func (s *session) sendOwn() error {
	f := s.sub.TakeFrame()
	if f == nil {
		return nil
	}
	if err := send(s.conn, f); err != nil {
		return err
	}
	s.sub.Delivered(time.Now(), len(f.Data))
	s.p.sent()
	return nil
}

// send writes one frame to the relay: its binary message as it is (gorilla
// masks it, as a client must, into its own buffer: there is one connection
// to share it, so nothing is gained by preparing it).
func send(conn *websocket.Conn, f *hub.Frame) error {
	_ = conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	if err := conn.WriteMessage(websocket.BinaryMessage, f.Message); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// read reads the relay's messages until the connection ends, keeping the
// newest count and list for the push goroutine, and passing keyframe
// requests for keys the relay takes on to the hub. It alone reads from
// conn.
func (s *session) read() {
	defer close(s.in.done)
	var taken []string // the keys the relay last asked for
	for {
		_, msg, err := s.conn.ReadMessage()
		if err != nil {
			s.in.err <- err
			return
		}
		m, err := protocol.ParseRelayMessage(msg)
		if err != nil {
			continue // a later relay's message, or a broken one
		}
		switch m := m.(type) {
		case protocol.Refusal:
			if m.Error != "" && !s.refusedLinks(m.Error) {
				s.p.log.Warn("the relay refused a message", "err", m.Error)
			}
		case protocol.ViewerCount:
			newest(s.in.viewers, m.Count)
			s.heardLinks(m.Links)
		case protocol.AuditRecords:
			s.audited(m.Records)
		case protocol.RenditionsWant:
			taken = m.Want
			newest(s.in.wants, m)
		case protocol.KeyframeWant:
			if hub.IsInterKey(m.Key) && slices.Contains(taken, m.Key) {
				s.p.hub.RequestKey(m.Key)
			}
		}
	}
}

// newest puts v in the one-value channel c in place of a value not yet
// taken. Only one goroutine sends on c.
func newest[T any](c chan T, v T) {
	select {
	case <-c:
	default:
	}
	c <- v
}
