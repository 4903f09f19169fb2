package relay

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The old setup, as its Python script and page spoke to the Node.js relay.

// startLegacyRelay runs a relay whose root is open, as the old one was.
func startLegacyRelay(t *testing.T) *Relay {
	t.Helper()
	return startRelayWith(t, func(cfg *Config, _ *Deps) {
		cfg.LegacyIngest, cfg.LegacyStream = true, "default"
		cfg.MaxFrame = 1 << 20
	})
}

// dialRoot connects to the root as old clients do: the page from its own
// site, the producer with no Origin.
func dialRoot(t *testing.T, rl *Relay, origin string, d *websocket.Dialer) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	if d == nil {
		d = websocket.DefaultDialer
	}
	conn, _, err := d.Dial(wsBase(rl)+"/", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// oldPage connects as the old page did and says hello.
func oldPage(t *testing.T, rl *Relay, d *websocket.Dialer) *websocket.Conn {
	t.Helper()
	conn := dialRoot(t, rl, "http://old-site.example", d)
	sendText(t, conn, "Hello WebSockets!")
	return conn
}

// pictureMsg is the old producer's picture message.
func pictureMsg(jpg []byte) string {
	return "img=sq=data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpg)
}

// readOld reads one message as the old page did: split on "=sq=".
func readOld(t *testing.T, conn *websocket.Conn) (key, value string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	kind, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("a %d message; the old page takes text", kind)
	}
	k, v, ok := strings.Cut(string(msg), "=sq=")
	if !ok {
		t.Fatalf("message %.40q… has no =sq=", msg)
	}
	return k, v
}

// noise makes a JPEG that does not compress: about 70 KB at 256×256.
func noise(t *testing.T, seed uint64) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed))
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTheOldPageAndProducerWorkUnchangedInEitherOrder(t *testing.T) {
	for _, pageFirst := range []bool{true, false} {
		name := "the producer first, then the page"
		if pageFirst {
			name = "the page first, then the producer"
		}
		t.Run(name, func(t *testing.T) {
			rl := startLegacyRelay(t)
			var page, prod *websocket.Conn
			if pageFirst {
				page = oldPage(t, rl, nil)
				prod = dialRoot(t, rl, "", nil)
			} else {
				prod = dialRoot(t, rl, "", nil)
				sendText(t, prod, pictureMsg(picture(t, 8, 8, color.RGBA{0, 0, 0, 255})))
				sendText(t, prod, "a1=sq=[]")
				waitFor(t, "the first picture", func() bool { return rl.legacy.Stats().Received == 1 })
				page = oldPage(t, rl, nil)
				if k, v := readOld(t, page); k != "a1" || v != "[]" {
					t.Fatalf("a page that joins gets %s=%.20s first, want the current a1", k, v)
				}
			}
			binary := watch(t, rl, "default", rl.LegacyViewToken(), "")
			for i := 1; i <= 5; i++ {
				jpg := picture(t, 40+i, 30, color.RGBA{uint8(40 * i), 0, 0, 255})
				boxes := fmt.Sprintf("[[%d,2,3,4]]", i)
				sendText(t, prod, pictureMsg(jpg))
				sendText(t, prod, "a1=sq="+boxes)
				if k, v := readOld(t, page); k != "img" || v != strings.TrimPrefix(pictureMsg(jpg), "img=sq=") {
					t.Fatalf("picture %d: the page got %s=%.30s…, want the producer's picture as sent", i, k, v)
				}
				if k, v := readOld(t, page); k != "a1" || v != boxes {
					t.Fatalf("after picture %d the page got %s=%.30s, want a1=%s", i, k, v, boxes)
				}
				// Framecast's own viewers get the picture, and the header
				// says which picture the a1 they carry belongs to.
				m, err := binary.NextFrame(5 * time.Second)
				if err != nil {
					t.Fatal(err)
				}
				_ = binary.Ack(m.Frame.Seq)
				if m.Frame.W != 40+i || (m.Frame.Meta["a1"] != "" && m.Frame.MetaSeq["a1"] != m.Frame.Seq-1) {
					t.Fatalf("frame %+v: a1 should belong to the picture before", m.Frame)
				}
			}
			if n := rl.legacy.hub.Count(); n != 2 {
				t.Fatalf("%d viewers, want the page and the binary viewer (the producer is none)", n)
			}
		})
	}
}

func TestAnOldProducerThatNeverReadsIsSentNothing(t *testing.T) {
	rl := startLegacyRelay(t)
	page := oldPage(t, rl, nil)
	prod := dialRoot(t, rl, "", nil)
	jpg := picture(t, 16, 16, color.RGBA{0, 90, 0, 255})
	for i := 0; i < 200; i++ {
		sendText(t, prod, pictureMsg(jpg))
		sendText(t, prod, fmt.Sprintf("a1=sq=[%d]", i))
	}
	sendText(t, prod, "a1=sq=last")
	for {
		if k, v := readOld(t, page); k == "a1" && v == "last" {
			break
		}
	}
	// Everything the producer sent has been handled; had the relay sent it
	// anything, it would be waiting in its socket now.
	_ = prod.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, msg, err := prod.ReadMessage(); err == nil {
		t.Fatalf("the producer was sent %.40q", msg)
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("the producer's connection: %v, want it open and silent", err)
	}
	if st := rl.legacy.Stats(); st.Received != 200 || st.Refused != 0 {
		t.Fatalf("received %d refused %d, want 200 and 0", st.Received, st.Refused)
	}
}

func TestASlowOldPageSkipsPicturesButKeepsOrderAndMetadata(t *testing.T) {
	rl := startLegacyRelay(t)
	// A page on a slow link: a tiny receive buffer, and it does not read
	// while the producer sends.
	slow := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			err = c.(*net.TCPConn).SetReadBuffer(64 << 10)
		}
		return c, err
	}}
	const n = 120
	pictures := make([]string, n)
	for i := range pictures {
		pictures[i] = pictureMsg(noise(t, uint64(i)))
	}
	page := oldPage(t, rl, slow)
	prod := dialRoot(t, rl, "", nil)
	var sent []string // the producer's messages, in order
	send := func(s string) {
		sendText(t, prod, s)
		sent = append(sent, s)
	}
	send("title=sq=line 1")
	for i := 0; i < n; i++ {
		send(pictures[i])
		send(fmt.Sprintf("a1=sq=[%d]", i))
	}
	waitFor(t, "the relay to take every message", func() bool {
		ms := rl.legacy.hub.Meta()
		return len(ms) == 2 && ms[1].Value == fmt.Sprintf("[%d]", n-1)
	})
	var got []string
	taken := 0
	for {
		k, v := readOld(t, page)
		got = append(got, k+"=sq="+v)
		if k == "img" {
			taken++
		}
		if k == "a1" && v == fmt.Sprintf("[%d]", n-1) {
			break
		}
	}
	if taken >= n {
		t.Fatalf("the slow page got all %d pictures: they were queued, not skipped", taken)
	}
	if got[len(got)-2] != sent[len(sent)-2] {
		t.Fatal("the last picture the page got is not the producer's last")
	}
	if !strings.HasPrefix(got[0], "title=sq=") && !strings.Contains(strings.Join(got, "\n"), "title=sq=line 1") {
		t.Fatal("the page never got the title")
	}
	// What the page got is the producer's messages in the producer's order,
	// some skipped.
	j := 0
	for _, m := range got {
		for j < len(sent) && sent[j] != m {
			j++
		}
		if j == len(sent) {
			t.Fatalf("message %.40q… came out of the producer's order", m)
		}
		j++
	}
	t.Logf("the slow page got %d of %d pictures", taken, n)
}

func TestASecondPictureSenderWaitsUntilTheProducerIsSilent(t *testing.T) {
	rl := startLegacyRelay(t)
	page := oldPage(t, rl, nil)
	first := dialRoot(t, rl, "", nil)
	second := dialRoot(t, rl, "", nil)
	red, blue := picture(t, 8, 8, color.RGBA{255, 0, 0, 255}), picture(t, 8, 8, color.RGBA{0, 0, 255, 255})
	sendText(t, first, pictureMsg(red))
	if _, v := readOld(t, page); "img=sq="+v != pictureMsg(red) {
		t.Fatal("the first producer's picture did not arrive")
	}
	sendText(t, second, pictureMsg(blue))
	sendText(t, second, "a1=sq=from the second")
	waitFor(t, "the refusal", func() bool { return rl.legacy.Stats().Refused == 2 })
	if st := rl.legacy.Stats(); !strings.Contains(st.LastRefusal, "another producer") {
		t.Fatalf("last refusal %q", st.LastRefusal)
	}
	lastFirst := time.Now()
	sendText(t, first, pictureMsg(red))
	if k, v := readOld(t, page); k != "img" || "img=sq="+v != pictureMsg(red) {
		t.Fatalf("the page got %s=%.30s, want the live producer's picture and nothing of the second", k, v)
	}
	// The first falls silent; the second keeps trying and takes over once
	// the first has been silent for 2 s. The deadline only ends a hang:
	// a loaded machine may take far longer than 2 s to get there.
	deadline := time.Now().Add(15 * time.Second)
	for {
		sendText(t, second, pictureMsg(blue))
		if rl.legacy.Stats().Received >= 3 { // each try that lands after the takeover counts
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second sender never took over")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if silent := time.Since(lastFirst); silent < legacyTakeover {
		t.Fatalf("the second took over after %v of silence, want at least %v", silent, legacyTakeover)
	}
	if k, v := readOld(t, page); k != "img" || "img=sq="+v != pictureMsg(blue) {
		t.Fatalf("after the takeover the page got %s=%.30s, want the second's picture", k, v)
	}
	// A replaced producer is closed: its read ends with the close, not by
	// waiting out the deadline (pings are answered inside ReadMessage).
	_ = first.SetReadDeadline(time.Now().Add(15 * time.Second))
	if _, _, err := first.ReadMessage(); err == nil {
		t.Fatal("the replaced producer was sent a message")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the replaced producer is still connected")
	}
}

// TestAnOldPageIsAViewerAsSoonAsItsHandshakeIsDone: the old relay sent a
// page every message that came after it connected. A page subscribed only
// once its handler ran on after the handshake missed a picture sent in
// between, which a loaded machine made seconds long.
func TestAnOldPageIsAViewerAsSoonAsItsHandshakeIsDone(t *testing.T) {
	rl := startLegacyRelay(t)
	for i := 1; i <= 20; i++ {
		dialRoot(t, rl, "http://old-site.example", nil)
		if n := rl.legacy.hub.Count(); n != i {
			t.Fatalf("page %d has its handshake, and the stream has %d viewers", i, n)
		}
	}
}

func TestAPageSayingThingsNeverBecomesTheProducer(t *testing.T) {
	rl := startLegacyRelay(t)
	chatty := oldPage(t, rl, nil)
	page := oldPage(t, rl, nil)
	prod := dialRoot(t, rl, "", nil)
	sendText(t, chatty, "a1=sq=not from the producer")
	sendText(t, chatty, "anything at all")
	sendText(t, prod, pictureMsg(picture(t, 8, 8, color.RGBA{0, 255, 0, 255})))
	if k, _ := readOld(t, page); k != "img" {
		t.Fatalf("the page got %q first, want the producer's picture and nothing the other page said", k)
	}
	if k, _ := readOld(t, chatty); k != "img" {
		t.Fatalf("the chatty page got %q first; it is still a viewer", k)
	}
	if st := rl.legacy.Stats(); st.Refused != 0 || st.Received != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTheRootAsksForTheLegacyTokenWhenOneIsSet(t *testing.T) {
	rl := startRelayWith(t, func(cfg *Config, _ *Deps) {
		cfg.LegacyIngest, cfg.LegacyStream, cfg.LegacyToken = true, "default", viewToken
	})
	if _, resp, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %v, want 401", err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/?token="+viewToken, nil)
	if err != nil {
		t.Fatalf("with the token: %v", err)
	}
	conn.Close()
	resp, err := http.Get("http://" + rl.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Fatalf("a browser opening / got %d, want 426 with a hint", resp.StatusCode)
	}
}

func TestTheLegacyStreamExistsFromTheStartAndKeepsItsToken(t *testing.T) {
	rl := startLegacyRelay(t)
	s := rl.table.Lookup("default")
	if s == nil {
		t.Fatal("no legacy stream before its producer")
	}
	tbl := rl.table.(*memTable)
	now := time.Now()
	tbl.reapIdle(now)
	tbl.reapIdle(now.Add(2 * tbl.ttl))
	if rl.table.Lookup("default") != s {
		t.Fatal("the legacy stream was forgotten while idle")
	}
	if _, resp, err := websocket.DefaultDialer.Dial(wsBase(rl)+"/ingest/default?token="+publishToken+"&view="+viewToken, nil); err == nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("a push to the legacy stream with another view token: %v, want 409", err)
	}
}
