package server

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// fixedStream is a Stream whose frames a test publishes itself.
type fixedStream struct{}

func (fixedStream) Stats() protocol.Stats {
	return protocol.Stats{Width: 640, Height: 360, Quality: 80}
}

// bigFrame is frame seq with a picture of size bytes made from seq.
func bigFrame(t *testing.T, seq uint64, size int) *hub.Frame {
	t.Helper()
	f, err := hub.NewFrame(protocol.Header{Seq: seq, TS: time.Now().UnixMicro(), W: 640, H: 360}, picture(seq, size))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func picture(seq uint64, size int) []byte {
	return append([]byte{0xFF, 0xD8}, bytes.Repeat([]byte(fmt.Sprintf("%08d", seq)), size/8)...)
}

// TestFramesWrittenByThePublisherStayWholeAndInOrder publishes large frames
// faster than a viewer on a slow link reads them, beside a viewer on
// loopback: the hub's fan-out goroutine writes to both directly while their
// sockets take the frames, leaves what a full socket did not take to the
// viewer's writer, and falls back to the mailbox. Each viewer must get only
// whole frames, newest last, and the last one published. Frames of 512 KiB
// go by splice (splice_linux.go), of 2 MiB by plain writes; 2 MiB is more
// than a loopback socket's send buffer grows to for a slow reader, so
// those writes stop part way.
//
// The slow link is paced by timers and the kernel's receive buffer: each
// wake-up of its reader takes at most what that buffer holds. On a loaded
// machine wake-ups come tens of milliseconds apart, so a 4 KiB buffer
// carried ~150 KB/s instead of 10 MB/s, and 2 MiB frames took longer than
// the server's write wait (CI failed so). 32 KiB keeps the link near its
// rate there and still smaller than a frame.
func TestFramesWrittenByThePublisherStayWholeAndInOrder(t *testing.T) {
	for _, size := range []int{512 << 10, 2 << 20} {
		t.Run(fmt.Sprintf("%d KiB", size>>10), func(t *testing.T) { wholeAndInOrder(t, size) })
	}
}

func wholeAndInOrder(t *testing.T, size int) {
	h := hub.New()
	srv, err := New(Config{Addr: "127.0.0.1:0", Token: token}, Deps{Hub: h, Stream: fixedStream{}, Assets: fstest.MapFS{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	url := "ws://" + srv.Addr().String() + "/ws?token=" + token
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fast, err := client.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	slow, err := client.DialWith(ctx, url, client.DialOptions{LinkBps: 80_000_000, ReadBuffer: 32 << 10, LinkBurst: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	for _, v := range []*client.Viewer{fast, slow} {
		if m, err := v.Next(5 * time.Second); err != nil || m.Event != "hello" {
			t.Fatalf("first message %q, %v: want hello", m.Event, err)
		}
	}

	const last = 40
	results := make(chan string, 2)
	for name, v := range map[string]*client.Viewer{"fast": fast, "slow": slow} {
		go func() { results <- watch(v, name, last, size) }()
	}
	for seq := uint64(1); seq <= last; seq++ {
		h.Publish(bigFrame(t, seq, size))
		time.Sleep(5 * time.Millisecond) // a producer's pace: 200 frames/s, 3.2 Gbit/s
	}
	for range 2 {
		if r := <-results; r != "" {
			t.Error(r)
		}
	}
}

// watch reads and acks frames until frame last; it says what went wrong, or
// "" when every frame was whole and newer than the one before.
func watch(v *client.Viewer, name string, last uint64, size int) string {
	var prev uint64
	n := 0
	start := time.Now()
	for prev < last {
		m, err := v.NextFrame(30 * time.Second)
		if err != nil {
			return fmt.Sprintf("%s viewer after frame %d (%d frames, %d bytes read in %v): %v", name, prev, n, v.BytesRead(), time.Since(start), err)
		}
		seq := m.Frame.Seq
		if seq <= prev {
			return fmt.Sprintf("%s viewer got frame %d after %d", name, seq, prev)
		}
		if !bytes.Equal(m.JPEG, picture(seq, size)) {
			return fmt.Sprintf("%s viewer: frame %d's picture is not the one published", name, seq)
		}
		prev = seq
		n++
		if err := v.Ack(seq); err != nil {
			return fmt.Sprintf("%s viewer: ack %d: %v", name, seq, err)
		}
	}
	return ""
}
