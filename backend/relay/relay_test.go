package relay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/protocol"
	"framecast/backend/server"

	"github.com/gorilla/websocket"
)

const (
	publishToken = "publish-token-0123456789"
	viewToken    = "view-token-abcdefghijkl"
)

var assets = fstest.MapFS{"viewer.html": {Data: []byte("<title>viewer</title>")}}

func startRelay(t *testing.T, addr string, legacy bool) *Relay {
	t.Helper()
	return startRelayWith(t, func(cfg *Config, _ *Deps) {
		cfg.Addr = addr
		if legacy {
			cfg.LegacyIngest, cfg.LegacyStream, cfg.LegacyToken = true, "legacy", viewToken
		}
	})
}

// startRelayWith starts a relay on a loopback port that change may adjust.
func startRelayWith(t *testing.T, change func(*Config, *Deps)) *Relay {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", PublishToken: publishToken, MaxFrame: 64 << 10}
	d := Deps{Assets: assets}
	change(&cfg, &d)
	rl, err := New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rl.Close)
	return rl
}

// picture makes a w×h JPEG of one colour.
func picture(t *testing.T, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func wsBase(rl *Relay) string { return "ws://" + rl.Addr().String() }

// produce connects a producer to stream name.
func produce(t *testing.T, rl *Relay, name, view string) *websocket.Conn {
	t.Helper()
	url := wsBase(rl) + "/ingest/" + name + "?token=" + publishToken + "&view=" + view
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// The relay attaches a producer once its upgrade is done, just after
	// the client hears back: wait for it, so viewers find the stream.
	waitFor(t, "the producer of "+name, func() bool {
		s := rl.table.Lookup(name)
		return s != nil && s.handler.Token() == view && s.conflicts("not-"+view)
	})
	return conn
}

func sendFrame(t *testing.T, conn *websocket.Conn, h protocol.Header, jpg []byte) {
	t.Helper()
	msg, err := protocol.EncodeFrame(h, jpg)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.WriteMessage(websocket.BinaryMessage, msg); err != nil {
		t.Fatal(err)
	}
}

func watch(t *testing.T, rl *Relay, name, view, format string) *client.Viewer {
	t.Helper()
	url := wsBase(rl) + "/s/" + name + "/ws?token=" + view
	if format != "" {
		url += "&format=" + format
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := client.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func TestProducerFramesReachViewersWithTheirSeqTsAndDetections(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "line1", viewToken)
	v := watch(t, rl, "line1", viewToken, "")
	jpg := picture(t, 64, 48, color.RGBA{200, 0, 0, 255})
	for i := uint64(1); i <= 3; i++ {
		ts := time.Now().Add(-time.Duration(i) * time.Millisecond).UnixMicro()
		in := protocol.Header{Seq: 100 + i, TS: ts, W: 64, H: 48,
			Detections: []protocol.Detection{{Label: "face", Score: 1, Box: [4]int{1, 2, 3, 4}}}}
		sendFrame(t, prod, in, jpg)
		m, err := v.NextFrame(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m.Frame.Seq != in.Seq || m.Frame.TS != in.TS || len(m.Frame.Detections) != 1 || !bytes.Equal(m.JPEG, jpg) {
			t.Fatalf("relayed %+v, want the producer's %+v", m.Frame, in)
		}
		_ = v.Ack(m.Frame.Seq)
	}
}

func TestDataURLOutputServesOldPages(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	conn, _, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/s/cam/ws?format=dataurl&token="+viewToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	jpg := picture(t, 32, 32, color.RGBA{0, 0, 200, 255})
	for i := 0; i < 4; i++ { // more than 2: old pages never ack
		sendFrame(t, prod, protocol.Header{Seq: uint64(i + 1), TS: time.Now().UnixMicro(), W: 32, H: 32}, jpg)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		s := string(msg)
		if kind != websocket.TextMessage || !strings.HasPrefix(s, "data:image/jpeg;base64,") {
			t.Fatalf("message %d is %q…, want a JPEG data URL", i, s[:min(len(s), 40)])
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "data:image/jpeg;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("data URL is not a JPEG: %v", err)
		}
	}
}

func TestBadProducerInputIsRefusedAndNothingIsBroadcast(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", true)
	jpg := picture(t, 16, 16, color.RGBA{255, 255, 255, 255})
	good, _ := protocol.EncodeFrame(protocol.Header{Seq: 1}, jpg)
	notJSON := append([]byte{0, 0, 0, 5}, []byte("{oops")...)
	notJSON = append(notJSON, jpg...)
	notJPEG, _ := protocol.EncodeFrame(protocol.Header{Seq: 1}, []byte("GIF89a this is not a jpeg"))
	huge, _ := protocol.EncodeFrame(protocol.Header{Seq: 1}, append(append([]byte{}, jpg...), make([]byte, 70<<10)...))
	cases := []struct {
		name string
		kind int
		msg  []byte
		want string
	}{
		{"a frame that is not a JPEG", websocket.BinaryMessage, notJPEG, "not a JPEG"},
		{"a frame over the size limit", websocket.BinaryMessage, huge, "over the limit"},
		{"a header that is not JSON", websocket.BinaryMessage, notJSON, "not JSON"},
		{"a frame shorter than its header", websocket.BinaryMessage, good[:10], "too short"},
		{"bad base64", websocket.TextMessage, []byte("img=sq=data:image/jpeg;base64,@@@@"), "base64"},
		{"base64 that is not a JPEG", websocket.TextMessage, []byte("img=sq=data:image/jpeg;base64," + base64.StdEncoding.EncodeToString([]byte("hello"))), "not a JPEG"},
		{"text that is no known message", websocket.TextMessage, []byte("hello relay"), "neither"},
	}
	prod := produce(t, rl, "bad", viewToken)
	v := watch(t, rl, "bad", viewToken, "")
	frames := make(chan protocol.Header, 10)
	go func() {
		for {
			m, err := v.NextFrame(time.Minute)
			if err != nil {
				return
			}
			frames <- *m.Frame
		}
	}()
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			if err := prod.WriteMessage(c.kind, c.msg); err != nil {
				t.Fatal(err)
			}
			var e struct{ Type, Error string }
			var reply []byte
			for e.Type == "" || e.Type == "viewers" { // viewer counts may come between
				_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
				var err error
				if _, reply, err = prod.ReadMessage(); err != nil {
					t.Fatal(err)
				}
				e.Type = ""
				if json.Unmarshal(reply, &e) != nil {
					t.Fatalf("reply %q is not JSON", reply)
				}
			}
			if e.Type != "error" || !strings.Contains(e.Error, c.want) {
				t.Fatalf("reply %s, want an error about %q", reply, c.want)
			}
		})
	}
	// The producer is still connected and a good frame still goes through.
	// The relay handles a producer's messages in order, and the viewer has
	// room for two frames unacked, so a refused message that had been
	// broadcast would reach the viewer before this one.
	sendFrame(t, prod, protocol.Header{Seq: 9, TS: time.Now().UnixMicro(), W: 16, H: 16}, jpg)
	select {
	case h := <-frames:
		if h.Seq != 9 {
			t.Fatalf("the viewer got %+v before the good frame: a refused message was broadcast", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a good frame after bad ones did not arrive")
	}
}

func TestTheProducerHearsHowManyWatch(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	prod := produce(t, rl, "cam", viewToken)
	count := func() int {
		t.Helper()
		for {
			_ = prod.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, msg, err := prod.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Type  string
				Count int
			}
			if json.Unmarshal(msg, &m) == nil && m.Type == "viewers" {
				return m.Count
			}
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("first count %d, want 0", n)
	}
	v := watch(t, rl, "cam", viewToken, "")
	if n := count(); n != 1 {
		t.Fatalf("count after a viewer joined %d, want 1", n)
	}
	v.Close()
	if n := count(); n != 0 {
		t.Fatalf("count after the viewer left %d, want 0", n)
	}
}

func TestAWrongPublishTokenIsRefusedAtUpgrade(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	for _, tok := range []string{"", "wrong", publishToken + "x"} {
		_, resp, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/ingest/x?view="+viewToken+"&token="+tok, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token %q: err %v, want 401", tok, err)
		}
	}
	if rl.table.Lookup("x") != nil {
		t.Fatal("a refused producer created a stream")
	}
}

func TestTwoStreamsStaySeparate(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	a := produce(t, rl, "a", "view-token-of-stream-a")
	b := produce(t, rl, "b", "view-token-of-stream-b")
	va := watch(t, rl, "a", "view-token-of-stream-a", "")
	vb := watch(t, rl, "b", "view-token-of-stream-b", "")
	ja, jb := picture(t, 10, 10, color.RGBA{255, 0, 0, 255}), picture(t, 20, 20, color.RGBA{0, 255, 0, 255})
	sendFrame(t, a, protocol.Header{Seq: 1, TS: 1, W: 10, H: 10}, ja)
	sendFrame(t, b, protocol.Header{Seq: 7, TS: 7, W: 20, H: 20}, jb)
	ma, err := va.NextFrame(5 * time.Second)
	if err != nil || !bytes.Equal(ma.JPEG, ja) {
		t.Fatalf("stream a got %+v, %v", ma.Frame, err)
	}
	mb, err := vb.NextFrame(5 * time.Second)
	if err != nil || !bytes.Equal(mb.JPEG, jb) {
		t.Fatalf("stream b got %+v, %v", mb.Frame, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.Dial(ctx, wsBase(rl)+"/s/a/ws?token=view-token-of-stream-b", nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("b's token opened a: %v", err)
	}
}

func TestRepublishingReplacesTheProducerAndKeepsViewers(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0", false)
	old := produce(t, rl, "cam", viewToken)
	v := watch(t, rl, "cam", viewToken, "")
	jpg := picture(t, 8, 8, color.RGBA{9, 9, 9, 255})
	sendFrame(t, old, protocol.Header{Seq: 1, TS: 1, W: 8, H: 8}, jpg)
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	_ = v.Ack(1)
	newer := produce(t, rl, "cam", viewToken)
	_ = old.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := old.ReadMessage()
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) || !strings.Contains(err.Error(), "replaced") {
			t.Fatalf("old producer ended with %v, want a going-away close saying it was replaced", err)
		}
		break
	}
	sendFrame(t, newer, protocol.Header{Seq: 2, TS: 2, W: 8, H: 8}, jpg)
	m, err := v.NextFrame(5 * time.Second)
	if err != nil || m.Frame.Seq != 2 {
		t.Fatalf("viewer after republish got %+v, %v", m.Frame, err)
	}
}

func TestIdleStreamsAreForgottenAndBusyOnesKept(t *testing.T) {
	tbl := newMemTable(func(name, token string) *Stream {
		return newStream(name, token, server.Deps{Assets: assets}, nil)
	}, 100*time.Millisecond)
	defer tbl.Close()
	tbl.Open("idle", viewToken)
	busy := tbl.Open("busy", viewToken)
	sub := busy.hub.Subscribe("ws", "viewer", "")
	defer busy.hub.Unsubscribe(sub)
	deadline := time.Now().Add(5 * time.Second)
	for tbl.Lookup("idle") != nil {
		if time.Now().After(deadline) {
			t.Fatal("an idle stream was kept past its time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if tbl.Lookup("busy") == nil {
		t.Fatal("a stream with a viewer was forgotten")
	}
}
