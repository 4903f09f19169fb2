package server

import (
	"bytes"
	"framecast/backend/hub"
	"framecast/backend/protocol"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

func TestFramedIsAWebSocketFrameAClientReads(t *testing.T) {
	sizes := []int{10, 125, 126, 65535, 65536, 200000} // each length encoding, both sides of its edge
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for _, n := range sizes {
			if _, err := conn.UnderlyingConn().Write(wsFrame(bytes.Repeat([]byte{byte(n)}, n))); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, n := range sizes {
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("payload of %d bytes: %v", n, err)
		}
		if kind != websocket.BinaryMessage || !bytes.Equal(msg, bytes.Repeat([]byte{byte(n)}, n)) {
			t.Fatalf("payload of %d bytes: read a message of type %d and %d bytes", n, kind, len(msg))
		}
	}
}

func TestAFrameHoldsItsPictureOnce(t *testing.T) {
	f, err := hub.NewFrame(protocol.Header{Seq: 1, W: 2, H: 2}, []byte{0xFF, 0xD8, 1, 0xFF, 0xD9})
	if err != nil {
		t.Fatal(err)
	}
	b := framed.Of(f)
	if &b[len(b)-1] != &f.Message[len(f.Message)-1] || &f.Message[len(f.Message)-1] != &f.Data[len(f.Data)-1] {
		t.Fatal("the message and the picture are not the tail of the viewers' bytes: the frame holds its picture twice")
	}
	if again := framed.Of(f); &again[0] != &b[0] {
		t.Fatal("the viewers' bytes were made twice for one frame")
	}
}
