package app

import (
	"strings"
	"testing"
	"time"

	"framecast/backend/protocol"
	"framecast/internal/testnet"
	"framecast/internal/testproducer"
)

// Choosing "External producer" gives the camera a publish token, saved,
// and IngestInfo the URL and the Python line a producer connects with.
func TestAnExternalProducerCameraSaysWhereItsProducerConnects(t *testing.T) {
	saved := smallSaved(t)
	a, _, st := newApp(t, &saved)
	if info, err := a.IngestInfo(); err != nil || len(info.URLs) != 0 || info.PublishToken != "" {
		t.Fatalf("a test pattern's IngestInfo: %+v %v, want none", info, err)
	}
	if _, err := a.SetSource("ingest"); err != nil {
		t.Fatal(err)
	}
	info, err := a.IngestInfo()
	if err != nil {
		t.Fatal(err)
	}
	if protocol.CheckToken(info.PublishToken) != nil || len(info.URLs) == 0 || info.Connected {
		t.Fatalf("IngestInfo %+v: want a publish token, URLs, no producer", info)
	}
	onDisk, _ := st.Load()
	if onDisk.Cameras[0].PublishToken != info.PublishToken {
		t.Fatalf("saved publish token %q, want %q", onDisk.Cameras[0].PublishToken, info.PublishToken)
	}
	base, _, _ := strings.Cut(info.URLs[0], "?")
	if want := `framecast.Publisher("` + base + `", publish_token="` + info.PublishToken + `")`; info.Python != want {
		t.Fatalf("Python %q, want %q", info.Python, want)
	}
	p, resp, err := testproducer.Dial(info.URLs[0])
	if err != nil {
		t.Fatalf("a producer at %s: %v %v", info.URLs[0], err, resp)
	}
	defer p.Close()
	testnet.WaitFor(t, 10*time.Second, "IngestInfo saying the producer is connected", func() bool {
		info, _ := a.IngestInfo()
		return info.Connected
	})
}
