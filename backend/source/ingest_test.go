package source

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"framecast/backend/ingest"
	"framecast/backend/protocol"
	"framecast/internal/testproducer"

	"gocv.io/x/gocv"
)

func TestIngestIsASpecOpenedOnlyOnAFeed(t *testing.T) {
	spec, err := ParseSpec(" ingest ")
	if err != nil || spec.Kind != KindIngest || spec.String() != "ingest" || !spec.Live() {
		t.Fatalf("ParseSpec(ingest) = %+v %v", spec, err)
	}
	if _, err := Open(spec, Options{}); !errors.Is(err, ErrNeedsFeed) {
		t.Fatalf("Open(ingest) = %v, want ErrNeedsFeed", err)
	}
}

// The ingest source reads the producer's newest picture and its boxes,
// fails at once while no producer is connected, and after IngestWait
// while a connected one sends nothing.
func TestTheIngestSourceReadsTheProducersPictures(t *testing.T) {
	const token = "source-publish-token-0123"
	feed := ingest.NewFeed(ingest.FeedDeps{Token: func() string { return token }})
	srv := httptest.NewServer(feed)
	t.Cleanup(func() { feed.Close(); srv.Close() })
	src := OpenIngest(feed)
	defer src.Close()
	m := gocv.NewMat()
	defer m.Close()

	start := time.Now()
	if err := src.Read(&m); !errors.Is(err, ErrNoProducer) || time.Since(start) > time.Second {
		t.Fatalf("Read without a producer: %v after %v, want ErrNoProducer at once", err, time.Since(start))
	}
	p, resp, err := testproducer.Dial("ws" + strings.TrimPrefix(srv.URL, "http") + "/ingest/line?token=" + token)
	if err != nil {
		t.Fatalf("producer: %v %v", err, resp)
	}
	defer p.Close()
	dets := []protocol.Detection{{Label: "cup", Score: 0.7, Box: [4]int{10, 20, 30, 40}}}
	if err := p.Send(testproducer.Picture(t, 160, 90), 160, 90, dets); err != nil {
		t.Fatal(err)
	}
	for deadline := time.After(10 * time.Second); !feed.Connected(); {
		changed := feed.Changed()
		if feed.Connected() {
			break
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("the producer did not connect")
		}
	}
	// Connected, and the picture on its way: Read waits for it.
	if err := src.Read(&m); err != nil {
		t.Fatal(err)
	}
	if m.Cols() != 160 || m.Rows() != 90 || m.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("read %dx%d type %v, want the 160x90 picture in colour", m.Cols(), m.Rows(), m.Type())
	}
	a := src.(Annotated)
	if got := a.Detections(); len(got) != 1 || got[0] != dets[0] {
		t.Fatalf("detections %v, want %v", got, dets)
	}

	start = time.Now()
	err = src.Read(&m)
	took := time.Since(start)
	if !errors.Is(err, ErrNoProducer) || took < IngestWait || took > IngestWait+3*time.Second {
		t.Fatalf("Read while the producer sends nothing: %v after %v, want ErrNoProducer after %v", err, took, IngestWait)
	}
	if !feed.Connected() {
		t.Fatal("the producer was dropped")
	}
}
