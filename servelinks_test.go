package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"framecast/backend/client"
	"framecast/backend/links"
	"framecast/backend/relay"
	"framecast/internal/testnet"
)

func TestServesCustomerLinksAreMadeWatchedRevokedAuditedAndKept(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	addr := freeAddr(t)
	const token, admin = "own-token-0123456789", "admin-token-0123456789"
	args := []string{"--source", "test", "--width", "320", "--height", "180", "--addr", addr, "--token", token,
		"--admin-token", admin, "--state", state, "--log-level", "info"}
	cmd, out := startServe(t, args...)
	if !strings.Contains(out.String(), "Customer links: 0, kept in "+state) {
		t.Fatalf("serve does not say where its links are kept:\n%s", out)
	}
	base := "http://" + addr

	// Without the admin token nothing is made, and nothing changes.
	for _, bad := range []string{"", token, "wrong-admin-token-0123"} {
		if code, body := httpDo(t, "POST", base+"/api/links", bad, `{"name":"Acme QA"}`); code != 401 {
			t.Fatalf("POST with %q: %d %s", bad, code, body)
		}
		if code, _ := httpDo(t, "GET", base+"/api/audit", bad, ""); code != 401 {
			t.Fatalf("GET /api/audit with %q: %d", bad, code)
		}
	}
	code, body := httpDo(t, "POST", base+"/api/links", admin, `{"name":"Acme QA","expires_in":"24h","max_viewers":2}`)
	if code != 201 {
		t.Fatalf("POST /api/links: %d %s", code, body)
	}
	var acme struct{ Token, URL string }
	if err := json.Unmarshal([]byte(body), &acme); err != nil || len(acme.Token) < 22 || !strings.Contains(acme.URL, url.QueryEscape(acme.Token)) {
		t.Fatalf("the new link: %s", body)
	}
	code, body = httpDo(t, "POST", base+"/api/links", admin, `{"name":"Globex"}`)
	if code != 201 {
		t.Fatalf("POST /api/links: %d %s", code, body)
	}
	var globex struct{ Token string }
	_ = json.Unmarshal([]byte(body), &globex)

	// Each customer watches with their own link.
	dial := func(tok string) *client.Watcher {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		v, err := client.Dial(ctx, "ws://"+addr+"/ws?token="+url.QueryEscape(tok), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		w := client.Watch(v)
		testnet.WaitFor(t, 20*time.Second, "a frame", func() bool { return w.Frames() > 0 })
		return w
	}
	acmeViewer, globexViewer := dial(acme.Token), dial(globex.Token)

	// Every path of the API wants the admin token; without it nothing is
	// read and nothing changes (401, then 429 once the address has tried
	// too many).
	for _, bad := range []string{"", token, acme.Token, "wrong-admin-token-0123"} {
		for _, req := range [][2]string{{"GET", "/api/links"}, {"POST", "/api/links"}, {"GET", "/api/links/Acme%20QA"},
			{"PATCH", "/api/links/Acme%20QA"}, {"DELETE", "/api/links/Acme%20QA"}, {"GET", "/api/audit"}} {
			if code, body := httpDo(t, req[0], base+req[1], bad, `{"name":"Mallory"}`); (code != 401 && code != 429) || strings.Contains(body, acme.Token) {
				t.Fatalf("%s %s with %q: %d %s", req[0], req[1], bad, code, body)
			}
		}
	}
	if !acmeViewer.Ended().IsZero() {
		t.Fatal("a refused DELETE cut Acme's viewer")
	}
	var list struct {
		Links []links.Status `json:"links"`
	}
	testnet.WaitFor(t, 20*time.Second, "a viewer on each link in GET /api/links", func() bool {
		_, body := httpDo(t, "GET", base+"/api/links", admin, "")
		_ = json.Unmarshal([]byte(body), &list)
		return len(list.Links) == 2 && list.Links[0].Viewers == 1 && list.Links[1].Viewers == 1
	})

	revoked := time.Now()
	if code, body := httpDo(t, "DELETE", base+"/api/links/"+url.PathEscape("Acme QA"), admin, ""); code != 200 {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	reason, ended := acmeViewer.Wait(10 * time.Second)
	if took := acmeViewer.Ended().Sub(revoked); !ended || !strings.Contains(reason, "revoked") || took > time.Second {
		t.Fatalf("the revoked link's viewer: told %q, ended %v, %v after (want within 1 s)", reason, ended, took)
	}
	if _, ended := globexViewer.Wait(500 * time.Millisecond); ended {
		t.Fatal("the other link's viewer was closed")
	}
	if code, _ := httpDo(t, "GET", base+"/api/state?token="+url.QueryEscape(acme.Token), "", ""); code != 401 {
		t.Fatalf("the revoked token: %d", code)
	}

	// The audit has the connection by the link's name.
	var page links.AuditPage
	testnet.WaitFor(t, 10*time.Second, "the revoked link's connection in the audit", func() bool {
		_, body := httpDo(t, "GET", base+"/api/audit?link="+url.QueryEscape("Acme QA"), admin, "")
		_ = json.Unmarshal([]byte(body), &page)
		return len(page.Records) == 1
	})
	if r := page.Records[0]; r.Reason != "revoked" || r.Bytes == 0 || !strings.HasPrefix(r.Addr, "127.0.0.1:") || r.End.IsZero() {
		t.Fatalf("the audit record: %+v", r)
	}

	// Globex renamed and given an expiry: its viewer watches on.
	if code, body := httpDo(t, "PATCH", base+"/api/links/Globex", admin, `{"name":"Globex Corp","expires_in":"30d"}`); code != 200 || !strings.Contains(body, `"name":"Globex Corp"`) {
		t.Fatalf("PATCH: %d %s", code, body)
	}
	if _, ended := globexViewer.Wait(500 * time.Millisecond); ended {
		t.Fatal("the renamed link's viewer was closed")
	}

	// Stopped and started again: the links and the audit are kept.
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 30*time.Second, "serve stopped", func() bool { return errors.Is(syscall.Kill(cmd.Process.Pid, 0), syscall.ESRCH) })
	for _, secret := range []string{acme.Token, globex.Token, admin} {
		if strings.Contains(out.String(), secret) {
			t.Fatalf("a token in serve's output:\n%s", out)
		}
	}
	_, out = startServe(t, args...)
	if !strings.Contains(out.String(), "Customer links: 1, kept in "+state) {
		t.Fatalf("after a restart:\n%s", out)
	}
	if code, _ := httpDo(t, "GET", base+"/api/state?token="+url.QueryEscape(globex.Token), "", ""); code != 200 {
		t.Fatalf("the kept link after a restart: %d", code)
	}
	if code, body := httpDo(t, "GET", base+"/api/links/"+url.PathEscape("Globex Corp"), admin, ""); code != 200 || !strings.Contains(body, `"expires_at"`) {
		t.Fatalf("the renamed link after a restart: %d %s", code, body)
	}
	_, body = httpDo(t, "GET", base+"/api/audit", admin, "")
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Records) < 2 {
		t.Fatalf("the audit after a restart: %s", body)
	}
	// No token on disk but in links.json, which is the owner's alone.
	err := filepath.WalkDir(state, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		if filepath.Base(path) != "links.json" && (strings.Contains(string(b), globex.Token) || strings.Contains(string(b), acme.Token)) {
			t.Errorf("a token in %s", path)
		}
		if fi, _ := d.Info(); fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: readable by others", path, fi.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A second serve on the same state is refused, saying why.
	code2, _, errOut := runFramecast(t, append([]string{"serve"}, append(args[:len(args)-2:len(args)-2], "--addr", "127.0.0.1:0")...)...)
	if code2 != 1 || !strings.Contains(errOut, "another framecast serve keeps its links there") {
		t.Fatalf("a second serve on the same --state: exit %d: %s", code2, errOut)
	}
}

func TestServesCustomerLinksOpenItsStreamOnTheRelayItPushesToAndARevocationReachesIt(t *testing.T) {
	const publish, token, admin = "publish-token-0123456789", "own-token-0123456789", "admin-token-0123456789"
	rl, err := relay.New(relay.Config{Addr: "127.0.0.1:0", PublishToken: publish},
		relay.Deps{Assets: fstest.MapFS{"viewer.html": {Data: []byte("viewer")}}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	addr := freeAddr(t)
	_, out := startServe(t, "--source", "test", "--width", "320", "--height", "180", "--addr", addr, "--token", token,
		"--admin-token", admin, "--state", t.TempDir(), "--push", "ws://"+rl.Addr().String()+"/ingest/line1", "--publish-token", publish)
	testnet.WaitFor(t, 30*time.Second, "the push", func() bool { return strings.Contains(out.String(), "Pushing to the relay") })
	code, body := httpDo(t, "POST", "http://"+addr+"/api/links", admin, `{"name":"Acme QA"}`)
	if code != 201 {
		t.Fatalf("POST /api/links: %d %s", code, body)
	}
	var acme struct{ Token string }
	_ = json.Unmarshal([]byte(body), &acme)

	// The customer watches on the relay with the link serve made.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var v *client.Viewer
	testnet.WaitFor(t, 20*time.Second, "the link offered to the relay", func() bool {
		v, err = client.Dial(ctx, "ws://"+rl.Addr().String()+"/s/line1/ws?token="+url.QueryEscape(acme.Token), nil)
		return err == nil
	})
	defer v.Close()
	if _, err := v.NextFrame(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	testnet.WaitFor(t, 20*time.Second, "serve counting the relay's viewer of the link", func() bool {
		_, body := httpDo(t, "GET", "http://"+addr+"/api/links/Acme%20QA", admin, "")
		var st links.Status
		return json.Unmarshal([]byte(body), &st) == nil && st.Viewers == 1
	})
	revoked := time.Now()
	if code, body := httpDo(t, "DELETE", "http://"+addr+"/api/links/Acme%20QA", admin, ""); code != 200 {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	for {
		m, err := v.Next(10 * time.Second)
		if err != nil {
			if took := time.Since(revoked); took > time.Second {
				t.Fatalf("the relay's viewer of the revoked link was closed %v after, want within 1 s", took)
			}
			break
		}
		if m.Frame != nil {
			_ = v.Ack(m.Frame.Seq)
		}
	}
	// The relay's record of it reaches serve's audit, by way of the push.
	testnet.WaitFor(t, 20*time.Second, "the relay's record in serve's audit", func() bool {
		_, body := httpDo(t, "GET", "http://"+addr+"/api/audit?link=Acme%20QA", admin, "")
		var page links.AuditPage
		return json.Unmarshal([]byte(body), &page) == nil && len(page.Records) == 1 && page.Records[0].Via != "" && page.Records[0].Reason == "revoked"
	})
}
