package site

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/config"
	"framecast/internal/testnet"
)

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func TestTheRuntimeAPIOpensOnlyWithTheAdminToken(t *testing.T) {
	s := start(t, Config{AdminToken: admin, Streams: []config.Camera{cam("a", shared)}}, nil)
	api := "http://" + base(s) + "/api/streams"
	for _, c := range []struct {
		method, url string
		header      http.Header
	}{
		{"GET", api + "/a", nil},
		{"GET", api + "/a?token=" + shared, nil},       // a viewer's token never opens it
		{"GET", api + "/a", bearer(shared)},            // not even as a bearer
		{"GET", api, bearer("wrong-token-0123456789")}, // nor a wrong one
		{"POST", api + "?token=" + shared, nil},
		{"PUT", api + "/a", bearer(shared)},
		{"DELETE", api + "/a?token=" + shared, nil},
		{"DELETE", api + "/a", http.Header{"Authorization": {admin}}}, // no "Bearer "
	} {
		if code, body := do(t, c.method, c.url, c.header, `{"quality":10}`); code != http.StatusUnauthorized {
			t.Errorf("%s %s %v: %d %s, want 401", c.method, c.url, c.header, code, body)
		}
	}
	if got := s.Station("a").Settings().Quality; got != 80 {
		t.Fatalf("quality %d after refused requests, want 80 as it was", got)
	}
	if code, body := get(t, api+"/a", bearer(admin)); code != 200 || !strings.Contains(body, `"quality":80`) {
		t.Fatalf("with the admin token: %d %s", code, body)
	}
	// Without an admin token the API is off, and says how to turn it on.
	off := start(t, Config{Streams: []config.Camera{cam("a", shared)}}, nil)
	if code, body := get(t, "http://"+base(off)+"/api/streams", bearer(admin)); code != 401 || !strings.Contains(body, "admin_token") {
		t.Errorf("API off: %d %s", code, body)
	}
}

func TestTheRuntimeAPIAddsChangesAndRemovesStreamsWithoutTouchingOthers(t *testing.T) {
	sv := &saves{}
	s := start(t, Config{AdminToken: admin, Streams: []config.Camera{cam("a", shared)}}, sv)
	api := "http://" + base(s) + "/api/streams"
	other := watch(t, s, "/s/a/ws?token="+shared)
	// a's viewer watches all along, acking each frame as a page does.
	var frames atomic.Int64
	otherDone := make(chan string, 1)
	go func() {
		for {
			m, err := other.Next(10 * time.Second)
			switch {
			case err != nil:
				otherDone <- err.Error()
				return
			case m.Event == "bye":
				otherDone <- "bye: " + string(m.Raw)
				return
			case m.Frame != nil:
				frames.Add(1)
				_ = other.Ack(m.Frame.Seq)
			}
		}
	}()

	code, body := do(t, "POST", api, bearer(admin), `{"name":"b","width":160,"height":90,"renditions":"none","process":"motion"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST: %d %s", code, body)
	}
	var b StreamInfo
	if err := json.Unmarshal([]byte(body), &b); err != nil || b.Name != "b" || b.Process != "motion" || len(b.Links) == 0 {
		t.Fatalf("POST: %s", body)
	}
	// The new stream shares the token the site's one stream had.
	v := watch(t, s, "/s/b/ws?token="+shared)
	code, body = do(t, "PUT", api+"/b", bearer(admin), `{"quality":33,"fps":12}`)
	if code != 200 || s.Station("b").Settings().Quality != 33 || s.Station("b").Settings().FPS != 12 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if _, err := v.NextFrame(5 * time.Second); err != nil {
		t.Fatalf("b's viewer after the change: %v", err)
	}
	testnet.WaitUntil(t, "the change saved", func() bool {
		c, _ := sv.get()
		return len(c.Streams) == 2 && c.Streams[1].Name == "b" && c.Streams[1].Stream.Quality == 33
	})
	// Bad settings are refused whole, naming what is wrong.
	code, body = do(t, "PUT", api+"/b", bearer(admin), `{"quality":500,"fps":5}`)
	if code != 400 || !strings.Contains(body, "quality") || s.Station("b").Settings().FPS != 12 {
		t.Fatalf("a bad PUT: %d %s, fps %d", code, body, s.Station("b").Settings().FPS)
	}
	if code, body := do(t, "PUT", api+"/b", bearer(admin), `{"qualty":50}`); code != 400 || !strings.Contains(body, "qualty") {
		t.Fatalf("an unknown key: %d %s", code, body)
	}
	if code, _ := do(t, "POST", api, bearer(admin), `{"name":"a"}`); code != http.StatusConflict {
		t.Fatalf("a second stream a: %d", code)
	}
	// A rename onto another stream's name changes nothing.
	if code, body := do(t, "PUT", api+"/b", bearer(admin), `{"name":"a","quality":44}`); code != http.StatusConflict || s.Station("b").Settings().Quality != 33 {
		t.Fatalf("rename onto a: %d %s, quality %d", code, body, s.Station("b").Settings().Quality)
	}
	// Renamed: the old address is gone, the new one works.
	if code, body := do(t, "PUT", api+"/b", bearer(admin), `{"name":"line-2"}`); code != 200 {
		t.Fatalf("rename: %d %s", code, body)
	}
	watch(t, s, "/s/line-2/ws?token="+shared)
	if code, _ := get(t, "http://"+base(s)+"/s/b/snapshot.jpg?token="+shared, nil); code != 401 {
		t.Fatalf("the old name answers %d", code)
	}
	if code, _ := do(t, "DELETE", api+"/line-2", bearer(admin), ""); code != http.StatusNoContent {
		t.Fatalf("DELETE: %d", code)
	}
	if code, _ := do(t, "DELETE", api+"/line-2", bearer(admin), ""); code != http.StatusNotFound {
		t.Fatalf("DELETE again: %d", code)
	}
	testnet.WaitUntil(t, "the removal saved", func() bool {
		c, _ := sv.get()
		return len(c.Streams) == 1 && c.Streams[0].Name == "a"
	})
	// Stream a's viewer saw none of it: frames all along, no bye.
	n := frames.Load()
	testnet.WaitUntil(t, "a's viewer getting frames after the removal", func() bool {
		select {
		case why := <-otherDone:
			t.Fatalf("a's viewer: %s", why)
		default:
		}
		return frames.Load() > n+5
	})
}

func TestHostileStreamNamesAreRefused(t *testing.T) {
	s := start(t, Config{AdminToken: admin, Streams: []config.Camera{cam("a", shared)}}, nil)
	api := "http://" + base(s) + "/api/streams"
	for _, name := range []string{"../etc", "a/b", "", strings.Repeat("x", 65), "caméra", "a b", "..", `a"b`, "%2e%2e"} {
		b, _ := json.Marshal(map[string]string{"name": name})
		if code, body := do(t, "POST", api, bearer(admin), string(b)); code != 400 {
			t.Errorf("name %q: %d %s, want 400", name, code, body)
		}
	}
	if n := len(s.Stations()); n != 1 {
		t.Fatalf("%d streams after refused names, want 1", n)
	}
	if code, body := do(t, "POST", api, bearer(admin), strings.Repeat(" ", 70<<10)+"{}"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a huge body: %d %s", code, body)
	}
	for _, path := range []string{"/s/../api/streams", "/s/%2e%2e/ws?token=" + shared} {
		if code, body := get(t, "http://"+base(s)+path, nil); code == 200 && strings.Contains(body, "streams") {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
}
