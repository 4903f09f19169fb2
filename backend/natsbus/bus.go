// Package natsbus joins relays through NATS: the stream table lives in a
// JetStream key-value bucket, so every relay checks view tokens (and the
// hashes of customer links) the same way and a stream has one producer
// cluster-wide, and frames (a subject per stream and rendition), status
// changes, viewer reports, links and viewers' records travel on subjects
// per stream. It implements relay.Bus; the relay package itself
// knows nothing of NATS.
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"framecast/backend/protocol"
	"framecast/backend/relay"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the key-value bucket of the stream table.
const Bucket = "framecast_streams"

// bucketTTL forgets an entry nobody refreshed: a relay that died.
const bucketTTL = 30 * time.Second

// opTimeout bounds one key-value operation.
const opTimeout = 3 * time.Second

// Config says how to reach NATS.
type Config struct {
	URLs string // comma-separated nats:// URLs
	// Name is this relay's name in the cluster (default: a random one).
	Name string
	// Replicas of the stream table: 3 in a cluster of 3 or more NATS
	// servers, so it survives one of them dying; 1 for one server.
	Replicas int
}

// Bus is one relay's connection to the others.
type Bus struct {
	name string
	nc   *nats.Conn
	kv   jetstream.KeyValue
	log  *slog.Logger
}

var _ relay.Bus = (*Bus)(nil)

// Connect connects to NATS and opens (or makes) the stream table. NATS
// reconnects by itself for as long as the relay runs, to any server of
// the cluster.
func Connect(cfg Config, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Name == "" {
		cfg.Name = "relay-" + nats.NewInbox()[len(nats.InboxPrefix):][:8]
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	b := &Bus{name: cfg.Name, log: log.With("component", "nats")}
	nc, err := nats.Connect(cfg.URLs, nats.Name("framecast "+cfg.Name), nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond), nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { b.log.Warn("disconnected from NATS", "err", err) }),
		nats.ReconnectHandler(func(c *nats.Conn) { b.log.Info("reconnected to NATS", "server", c.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrSlowConsumer) {
				slowConsumers.Add(1)
				b.log.Warn("NATS slow consumer: frames dropped for a subject", "subject", s.Subject)
				return
			}
			b.log.Warn("NATS", "err", err)
		}))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS %s: %w", cfg.URLs, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	b.kv, err = openTable(js, jetstream.KeyValueConfig{Bucket: Bucket, History: 1, TTL: bucketTTL,
		Replicas: cfg.Replicas, Storage: jetstream.MemoryStorage}, tableWait)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("NATS stream table (JetStream must be on): %w", err)
	}
	b.nc = nc
	return b, nil
}

// tableWait bounds how long Connect tries to open the stream table.
const tableWait = 30 * time.Second

// openTable opens (or makes) the stream table, asking again while JetStream
// does not answer: the servers of a cluster that starts together elect
// JetStream's leader only once their routes are up, seconds after each
// takes clients, and a request made before that gets no reply.
func openTable(js jetstream.JetStream, cfg jetstream.KeyValueConfig, within time.Duration) (jetstream.KeyValue, error) {
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		kv, err := js.CreateOrUpdateKeyValue(ctx, cfg)
		cancel()
		if err == nil || time.Now().After(deadline) {
			return kv, err
		}
		time.Sleep(200 * time.Millisecond) // a short pause between tries; the ask itself waits up to 2 s
	}
}

// ID is this relay's name in the cluster.
func (b *Bus) ID() string { return b.name }

// MaxPayload is the largest message the NATS server takes.
func (b *Bus) MaxPayload() int { return int(b.nc.MaxPayload()) }

// Close leaves the cluster.
func (b *Bus) Close() { b.nc.Close() }

// entry is a stream's row in the table, as stored.
type entry struct {
	Hash    []byte    `json:"hash"`  // SHA-256 of the view token
	Relay   string    `json:"relay"` // which relay holds the producer
	Since   time.Time `json:"since"`
	Viewers int       `json:"viewers"` // cluster-wide, as that relay counts them
	// Ladder is the renditions its producer offers, its own size first;
	// the relays reading it check it before offering it to viewers.
	Ladder []protocol.Rendition `json:"ladder,omitempty"`
	// Codecs is what its producer encodes besides JPEG (nil: JPEG alone).
	Codecs []string `json:"codecs,omitempty"`
	// Steps: its producer makes lower bitrate steps of its H.264 renditions.
	Steps bool `json:"steps,omitempty"`
	// Links are the links its producer offers (token hashes, never
	// tokens), as of LinksAt: at most protocol.MaxLinkOffers, checked by
	// the relays reading them.
	Links   []protocol.LinkOffer `json:"links,omitempty"`
	LinksAt time.Time            `json:"links_at,omitzero"`
	// LinksHeld: its new producer has not offered its links yet.
	LinksHeld bool `json:"links_held,omitempty"`
}

// Lookup returns the stream's live entry. An entry its relay has not
// refreshed for relay.HolderTimeout is not live: that relay died.
func (b *Bus) Lookup(name string) (relay.Entry, bool, error) {
	e, _, err := b.get(name)
	if err != nil || e == nil {
		return relay.Entry{}, false, err
	}
	return *e, true, nil
}

func (b *Bus) get(name string) (*relay.Entry, uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	kve, err := b.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var row entry
	if err := json.Unmarshal(kve.Value(), &row); err != nil || len(row.Hash) != 32 {
		return nil, kve.Revision(), nil // not ours to read: treated as absent
	}
	e := &relay.Entry{Relay: row.Relay, Since: row.Since, Viewers: row.Viewers, At: kve.Created(), Ladder: row.Ladder, Codecs: row.Codecs, Steps: row.Steps,
		Links: row.Links, LinksAt: row.LinksAt, LinksHeld: row.LinksHeld}
	copy(e.Hash[:], row.Hash)
	if time.Since(e.At) > relay.HolderTimeout {
		return nil, kve.Revision(), nil
	}
	return e, kve.Revision(), nil
}

// Claim makes this relay the stream's holder, or refreshes its claim, with
// e's view token hash, since, cluster-wide viewer count and ladder. It
// fails with relay.ErrConflict while another relay's live producer has
// another view token.
func (b *Bus) Claim(name string, e relay.Entry) error {
	if !protocol.ValidStreamName(name) {
		// The relay checks before the upgrade; this keeps the table to
		// the same rule whoever calls it.
		return fmt.Errorf("claim %s in the NATS stream table: %s", protocol.Quote(name), protocol.StreamNameRule)
	}
	if len(e.Links) > protocol.MaxLinkOffers {
		return fmt.Errorf("claim %s in the NATS stream table: %d links, at most %d", protocol.Quote(name), len(e.Links), protocol.MaxLinkOffers)
	}
	hash := e.Hash
	v, _ := json.Marshal(entry{Hash: hash[:], Relay: b.name, Since: e.Since, Viewers: e.Viewers, Ladder: e.Ladder, Codecs: e.Codecs, Steps: e.Steps,
		Links: e.Links, LinksAt: e.LinksAt, LinksHeld: e.LinksHeld})
	var err error
	// A revision conflict means the row changed under us (another relay,
	// or this one refreshing at the same moment): read it again.
	for range 3 {
		var cur *relay.Entry
		var rev uint64
		if cur, rev, err = b.get(name); err != nil {
			return err
		}
		if cur != nil && cur.Relay != b.name && cur.Hash != hash {
			return relay.ErrConflict
		}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		if rev == 0 {
			_, err = b.kv.Create(ctx, name, v)
		} else {
			_, err = b.kv.Update(ctx, name, v, rev)
		}
		cancel()
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("claim %s in the NATS stream table: %w", protocol.Quote(name), err)
}

// Release removes this relay's claim on the stream, if it still holds it.
func (b *Bus) Release(name string) {
	cur, rev, err := b.get(name)
	if err != nil || cur == nil || cur.Relay != b.name {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	_ = b.kv.Delete(ctx, name, jetstream.LastRevision(rev))
}

// Publish sends data on the stream's subject of that kind.
func (b *Bus) Publish(kind relay.Kind, name string, data []byte) error {
	return b.nc.Publish(subject(kind, name), data)
}

// Subscribe calls fn with every message on the stream's subject of that
// kind, until cancel. Frames a slow relay cannot take are dropped by NATS
// (a slow consumer, counted and logged), never queued without bound.
func (b *Bus) Subscribe(kind relay.Kind, name string, fn func([]byte)) (cancel func(), err error) {
	// Frames dropped for this relay (its backlog was full) are told as
	// fn(nil) before the next: a relay's H.264 viewers then wait for a
	// keyframe. Only this subscription's goroutine calls fn.
	var sub atomic.Pointer[nats.Subscription]
	dropped := 0
	handler := func(m *nats.Msg) {
		if s := sub.Load(); s != nil && kind.IsFrames() {
			if d, err := s.Dropped(); err == nil && d != dropped {
				dropped = d
				fn(nil)
			}
		}
		fn(m.Data)
	}
	s, err := b.nc.Subscribe(subject(kind, name), handler)
	if err != nil {
		return nil, err
	}
	sub.Store(s)
	if kind.IsFrames() {
		// A few frames of backlog at most: a late frame is no use.
		_ = s.SetPendingLimits(8, 64<<20)
	}
	return func() { _ = s.Unsubscribe() }, nil
}

// Stats are the connection's counters, for tests and /metrics.
func (b *Bus) Stats() nats.Statistics { return b.nc.Stats() }

func subject(kind relay.Kind, name string) string { return "framecast." + string(kind) + "." + name }

// slowConsumers counts NATS slow-consumer events: frames dropped for a
// relay that could not keep up.
var slowConsumers atomic.Uint64

// SlowConsumers is how many slow-consumer events there were.
func SlowConsumers() uint64 { return slowConsumers.Load() }
