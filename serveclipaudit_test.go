package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framecast/backend/links"
	"framecast/internal/testnet"
)

// A customer's playback of a recorded clip, read as a <video> reads it (in
// Range requests on connections of their own), is one record of the
// audit, with its bytes and its span.
func TestServesClipDownloadsAreAuditedOnceAPlayback(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	const token, admin = "own-token-0123456789", "admin-token-0123456789"
	startServe(t, "--source", "test", "--width", "320", "--height", "180", "--addr", addr, "--token", token,
		"--admin-token", admin, "--state", filepath.Join(dir, "state"), "--record", filepath.Join(dir, "rec"), "--log-level", "warn")
	base := "http://" + addr
	var start time.Time
	testnet.WaitFor(t, 60*time.Second, "2 s recorded", func() bool {
		spans := recorded(t, base, token)
		if len(spans) == 0 || spans[0].End.Sub(spans[0].Start) < 2*time.Second {
			return false
		}
		start = spans[0].Start
		return true
	})
	code, body := httpDo(t, "POST", base+"/api/links", admin, `{"name":"Acme QA","recordings":true}`)
	var acme struct{ Token string }
	if code != 201 || json.Unmarshal([]byte(body), &acme) != nil {
		t.Fatalf("POST: %d %s", code, body)
	}
	u := base + "/clip.mp4?token=" + url.QueryEscape(acme.Token) + "&start=" + url.QueryEscape(start.Format(time.RFC3339Nano)) + "&duration=2s"
	sum := 0
	for _, rng := range []string{"bytes=0-999", "bytes=1000-"} {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Range", rng)
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusPartialContent {
			t.Fatalf("%s: %d %v", rng, resp.StatusCode, err)
		}
		sum += len(b)
	}
	var page links.AuditPage
	testnet.WaitFor(t, 30*time.Second, "the playback's record", func() bool {
		_, body = httpDo(t, "GET", base+"/api/audit?link="+url.QueryEscape("Acme QA"), admin, "")
		_ = json.Unmarshal([]byte(body), &page)
		return len(page.Records) > 0
	})
	r := page.Records[0]
	if len(page.Records) != 1 || r.Kind != links.KindClip || r.Bytes != uint64(sum) || !strings.HasSuffix(r.Clip, "/2s") {
		t.Fatalf("the audit %s, want one clip record of %d bytes", body, sum)
	}
	if strings.Contains(body, acme.Token) {
		t.Fatalf("the link's token in the audit: %s", body)
	}
}
