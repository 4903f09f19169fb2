// Package testproducer is a Go producer of the ingest protocol for tests:
// it dials a server's or a relay's /ingest/<name> with gorilla's client
// and sends protocol.EncodeFrame frames, as the Python client does.
package testproducer

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"sync"
	"testing"
	"time"

	"framecast/backend/protocol"

	"github.com/gorilla/websocket"
)

// Picture returns a w×h JPEG of a gradient, something like a picture.
func Picture(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Producer is one producer connection. Its reader goroutine alone reads
// from conn, keeping the server's control messages; Send alone writes.
type Producer struct {
	conn *websocket.Conn
	seq  uint64

	mu   sync.Mutex
	got  []json.RawMessage // the server's text messages, in order; guarded by mu
	more chan struct{}     // closed and replaced at each message; guarded by mu
	gone chan struct{}     // closed when the reader has stopped
	err  error             // why it stopped; read after gone
}

// Dial connects to url (ws://host/ingest/<name>?token=P). On a refusal it
// returns the response, whose status says why.
func Dial(url string) (*Producer, *http.Response, error) {
	conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, resp, err
	}
	p := &Producer{conn: conn, more: make(chan struct{}), gone: make(chan struct{})}
	go p.read()
	return p, resp, nil
}

func (p *Producer) read() {
	defer close(p.gone)
	for {
		kind, msg, err := p.conn.ReadMessage()
		if err != nil {
			p.err = err
			return
		}
		if kind != websocket.TextMessage {
			continue
		}
		p.mu.Lock()
		p.got = append(p.got, msg)
		close(p.more)
		p.more = make(chan struct{})
		p.mu.Unlock()
	}
}

// Send sends one frame of picture (its size w×h) with dets.
func (p *Producer) Send(picture []byte, w, h int, dets []protocol.Detection) error {
	p.seq++
	msg, err := protocol.EncodeFrame(protocol.Header{Seq: p.seq, TS: time.Now().UnixMicro(), W: w, H: h, Detections: dets}, picture)
	if err != nil {
		return err
	}
	return p.SendRaw(websocket.BinaryMessage, msg)
}

// SendRaw sends one message as it is.
func (p *Producer) SendRaw(kind int, msg []byte) error {
	_ = p.conn.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	return p.conn.WriteMessage(kind, msg)
}

// WaitMessage waits up to d for a text message from the server, after the
// first skip ones, that ok accepts, and returns it.
func (p *Producer) WaitMessage(d time.Duration, skip int, ok func(json.RawMessage) bool) (json.RawMessage, int, bool) {
	deadline := time.After(d)
	for i := skip; ; {
		p.mu.Lock()
		got, more := p.got, p.more
		p.mu.Unlock()
		for ; i < len(got); i++ {
			if ok(got[i]) {
				return got[i], i + 1, true
			}
		}
		select {
		case <-more:
		case <-p.gone:
			p.mu.Lock()
			n := len(p.got)
			p.mu.Unlock()
			if i >= n {
				return nil, i, false
			}
		case <-deadline:
			return nil, i, false
		}
	}
}

// Gone is closed when the connection has ended; Err then says why.
func (p *Producer) Gone() <-chan struct{} { return p.gone }

// Err is why the connection ended, once Gone is closed.
func (p *Producer) Err() error { <-p.gone; return p.err }

// Close closes the connection, with a close frame first.
func (p *Producer) Close() {
	_ = p.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = p.conn.Close()
	<-p.gone
}
