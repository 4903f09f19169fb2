package relay

import (
	"bytes"
	"encoding/base64"
	"image/color"
	"strings"
	"testing"
	"time"

	"framecast/backend/links"
	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// FuzzProducerMessages feeds what producers may send, on /ingest and on
// the old root, to three streams of one relay: nothing may panic, and the
// limits hold whatever comes (metadata, frames, the links a stream takes).
func FuzzProducerMessages(f *testing.F) {
	jpg := picture(&testing.T{}, 8, 8, color.RGBA{1, 2, 3, 255})
	frame, _ := protocol.EncodeFrame(protocol.Header{Seq: 3, TS: 5, W: 8, H: 8, Meta: map[string]string{"a": "b"}}, jpg)
	f.Add(uint8(0), true, frame)
	f.Add(uint8(1), false, []byte("img=sq=data:image/jpeg;base64,"+base64.StdEncoding.EncodeToString(jpg)))
	f.Add(uint8(2), false, []byte("a1=sq=[[1,2,3,4]]"))
	f.Add(uint8(3), false, []byte("img=sq=data:image/jpeg;base64,@@"))
	f.Add(uint8(4), true, []byte{0, 0, 0, 2, '{', '}'})
	f.Add(uint8(5), true, []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint8(6), false, []byte("Hello WebSockets!"))
	f.Add(uint8(7), false, []byte("=sq="))
	f.Add(uint8(8), false, []byte(`{"type":"links","links":[{"name":"Acme QA","hash":"`+strings.Repeat("ab", 32)+`","expires_at":"2030-01-01T00:00:00Z","max_viewers":2}]}`))
	f.Add(uint8(9), false, []byte(`{"type":"links","links":[{"name":"a","hash":"00"},{"name":"a"}]}`))

	rl, err := New(Config{Addr: "127.0.0.1:0", PublishToken: publishToken, MaxFrame: 64 << 10,
		LegacyIngest: true, LegacyStream: "default"}, Deps{Assets: assets})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(rl.Close)
	var streams []*Stream
	var producers []*publisher
	for _, name := range []string{"a", "b", "c"} {
		p := newPublisher(nil, "fuzz", protocol.ProducerPongWait)
		s, err := rl.attach(p, name, viewToken)
		if err != nil {
			f.Fatal(err)
		}
		streams, producers = append(streams, s), append(producers, p)
	}
	f.Cleanup(func() { // they have no connection for Close to end
		for i, s := range streams {
			s.detach(producers[i], "done")
		}
	})
	root := &rootClient{rl: rl, s: rl.legacy, p: newPublisher(nil, "fuzz-root", protocol.ProducerPongWait),
		sub: rl.legacy.hub.SubscribeMeta("legacy", "fuzz")}
	f.Cleanup(func() { rl.legacy.detach(root.p, "done") })

	f.Fuzz(func(t *testing.T, which uint8, binary bool, msg []byte) {
		kind := websocket.TextMessage
		if binary {
			kind = websocket.BinaryMessage
		}
		i := int(which) % 3
		_ = rl.handleMessage(producers[i], streams[i], kind, msg, time.Now())
		if err := root.read(kind, bytes.NewReader(msg), time.Now()); err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		for _, s := range append(streams, rl.legacy) {
			for _, l := range s.book.Links() {
				if links.CheckName(l.Name) != nil || l.MaxViewers < 0 || l.MaxViewers > links.MaxViewersCap {
					t.Fatalf("stream %s took a link it should have refused: %+v", s.Name, l)
				}
			}
			if n := len(s.book.Links()); n > links.MaxLinks {
				t.Fatalf("stream %s has %d links", s.Name, n)
			}
			if n := len(s.hub.Meta()); n > protocol.MaxMetaKeys {
				t.Fatalf("stream %s has %d metadata keys", s.Name, n)
			}
			if f := s.hub.Latest(""); f != nil {
				if _, _, err := protocol.DecodeFrame(mustWire(t, f.Header, f.Data)); err != nil {
					t.Fatalf("stream %s passed on a frame viewers cannot read: %v", s.Name, err)
				}
			}
		}
	})
}

func mustWire(t *testing.T, h protocol.Header, jpeg []byte) []byte {
	t.Helper()
	b, err := protocol.EncodeFrame(h, jpeg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
