package site

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"framecast/backend/config"
	"framecast/backend/httpx"
	"framecast/internal/testnet"
	"framecast/internal/testproducer"
)

const publish = "site-publish-token-0123"

// A producer reaches the stream of its name, when that stream's source is
// ingest; any other name, or a stream of another source, is refused alike
// (404) and counted as a wrong token, as is a wrong publish token (401).
func TestTheSiteRoutesAProducerToItsStream(t *testing.T) {
	in := cam("cam-in", shared)
	in.Stream.Source, in.PublishToken = "ingest", publish
	limits := httpx.DefaultLimits()
	limits.MaxFailedTokens = 3
	s, err := New(Config{Streams: []config.Camera{cam("pattern", shared), in}}, Deps{Assets: assets, Listen: "127.0.0.1", Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ws := "ws://" + base(s) + "/ingest/"

	st := s.Station("cam-in")
	urls, token := st.Ingest()
	if token != publish || len(urls) == 0 || urls[0] != ws+"cam-in?token="+publish {
		t.Fatalf("Ingest: %v %q, want %scam-in?token=%s", urls, token, ws, publish)
	}
	p, resp, err := testproducer.Dial(urls[0])
	if err != nil {
		t.Fatalf("the producer of cam-in: %v %v", err, resp)
	}
	testnet.WaitFor(t, 10*time.Second, "the producer connected", st.ProducerConnected)
	p.Close()
	testnet.WaitFor(t, 10*time.Second, "the producer gone", func() bool { return !st.ProducerConnected() })

	for i, tc := range []struct {
		url  string
		want int
	}{
		{ws + "pattern?token=" + publish, http.StatusNotFound},
		{ws + "nothing?token=" + publish, http.StatusNotFound},
		{ws + "cam-in?token=wrong-publish-token-012", http.StatusUnauthorized},
		{ws + "pattern?token=" + publish, http.StatusTooManyRequests}, // the site's guard counted three
	} {
		_, resp, err := testproducer.Dial(tc.url)
		if err == nil || resp == nil || resp.StatusCode != tc.want {
			t.Fatalf("request %d, %s: %v %v, want %d", i+1, tc.url, resp, err, tc.want)
		}
	}
	// A right token is always served.
	p, resp, err = testproducer.Dial(urls[0])
	if err != nil {
		t.Fatalf("the producer of cam-in after the refusals: %v %v", err, resp)
	}
	if _, _, ok := p.WaitMessage(10*time.Second, 0, func(json.RawMessage) bool { return true }); !ok {
		t.Fatal("the producer was told nothing")
	}
	p.Close()
}
