package relay

import (
	"encoding/json"
	"fmt"
	"image/color"
	"strings"
	"testing"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// nextError reads the producer's replies until an error, skipping viewer
// counts.
func nextError(t *testing.T, prod *websocket.Conn) string {
	t.Helper()
	for {
		_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := prod.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Type, Error string }
		if json.Unmarshal(msg, &e) == nil && e.Type == "error" {
			return e.Error
		}
	}
}

func sendText(t *testing.T, conn *websocket.Conn, s string) {
	t.Helper()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		t.Fatal(err)
	}
}

func TestMetadataIsBoundedInKeysAndHeaderSize(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	jpg := picture(t, 8, 8, color.RGBA{50, 50, 50, 255})
	t.Run("a 33rd key is refused and the frames carry 32", func(t *testing.T) {
		prod := produce(t, rl, "keys", viewToken)
		v := watch(t, rl, "keys", viewToken, "")
		for i := 0; i < protocol.MaxMetaKeys; i++ {
			sendText(t, prod, fmt.Sprintf("k%02d=sq=%d", i, i))
		}
		sendText(t, prod, "one-too-many=sq=x")
		if e := nextError(t, prod); !strings.Contains(e, "32 keys") {
			t.Fatalf("error %q, want one about the 32 keys", e)
		}
		sendText(t, prod, "k00=sq=changed") // a key it has may change
		sendFrame(t, prod, protocol.Header{Seq: 1, TS: time.Now().UnixMicro()}, jpg)
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Frame.Meta) != protocol.MaxMetaKeys || m.Frame.Meta["k00"] != "changed" || m.Frame.Meta["one-too-many"] != "" {
			t.Fatalf("frame carries %d keys (k00=%q), want 32 with k00 changed", len(m.Frame.Meta), m.Frame.Meta["k00"])
		}
	})
	t.Run("a value that would make the header over 64 KiB is refused", func(t *testing.T) {
		prod := produce(t, rl, "size", viewToken)
		v := watch(t, rl, "size", viewToken, "")
		big := strings.Repeat("v", 4096)
		refused := -1
		for i := 0; i < 20 && refused < 0; i++ {
			sendText(t, prod, fmt.Sprintf("k%02d=sq=%s", i, big))
			sendFrame(t, prod, protocol.Header{Seq: uint64(i + 1), TS: time.Now().UnixMicro()}, jpg)
			m, err := v.NextFrame(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			_ = v.Ack(m.Frame.Seq)
			if len(m.Frame.Meta) == i {
				refused = i
			}
		}
		if e := nextError(t, prod); !strings.Contains(e, "over the limit") {
			t.Fatalf("error %q", e)
		}
		if refused < 14 || refused > 16 {
			t.Fatalf("the header filled up after %d values of 4 KiB, want about 15 (64 KiB)", refused)
		}
	})
	t.Run("a frame whose own header has 33 keys is refused, not broadcast", func(t *testing.T) {
		prod := produce(t, rl, "binary", viewToken)
		v := watch(t, rl, "binary", viewToken, "")
		meta := map[string]string{}
		for i := 0; i <= protocol.MaxMetaKeys; i++ {
			meta[fmt.Sprint(i)] = "x"
		}
		sendFrame(t, prod, protocol.Header{Seq: 1, TS: time.Now().UnixMicro(), Meta: meta}, jpg)
		if e := nextError(t, prod); !strings.Contains(e, "33 meta keys") {
			t.Fatalf("error %q", e)
		}
		sendFrame(t, prod, protocol.Header{Seq: 2, TS: time.Now().UnixMicro()}, jpg)
		if m, err := v.NextFrame(5 * time.Second); err != nil || m.Frame.Seq != 2 {
			t.Fatalf("after the refused frame the viewer got %+v, %v; want frame 2 first", m.Frame, err)
		}
	})
}
