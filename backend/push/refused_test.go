package push

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"framecast/backend/hub"
)

// waitStatus waits up to 10 s for the push to reach state, and returns
// its status then.
func waitStatus(t *testing.T, p *Pusher, state string) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := p.Status()
		if st.State == state {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("push status %+v, want %q", st, state)
		}
		time.Sleep(20 * time.Millisecond) // Status has no change notice
	}
}

func TestARefusedPushSaysSoAndIsRetriedOnlySlowly(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string // in the status's error
	}{
		{"a wrong publish token (401) is a refusal", http.StatusUnauthorized, "401 unauthorized: wrong or missing publish token", "refused the publish token (401)"},
		{"a forbidden push (403) is a refusal with the relay's reason", http.StatusForbidden, "producers may not send an Origin", "(403): producers may not send an Origin"},
		{"a bad stream name (400) is a refusal with the relay's reason", http.StatusBadRequest, "stream names are 1-64 letters\n", "(400): stream names are 1-64 letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tries atomic.Int32
			relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tries.Add(1)
				http.Error(w, tc.body, tc.status)
			}))
			defer relay.Close()
			p, err := New(Config{URL: "ws://" + relay.Listener.Addr().String() + "/ingest/line", PublishToken: publishToken, ViewToken: viewToken}, hub.New(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			st := waitStatus(t, p, "refused")
			if !strings.Contains(st.Error, tc.want) {
				t.Fatalf("push status %+v, want the error to say %q", st, tc.want)
			}
			// A push that backs off from half a second would have tried
			// three more times by now.
			time.Sleep(3 * time.Second)
			if n := tries.Load(); n != 1 {
				t.Fatalf("the relay was asked %d times in 3 s after refusing, want once", n)
			}
			if st := p.Status(); st.State != "refused" {
				t.Fatalf("push status %+v, want it still refused", st)
			}
		})
	}
}

func TestAPushRefusedByARealRelayForItsTokenSaysSo(t *testing.T) {
	rl := startRelay(t, "127.0.0.1:0")
	defer rl.Close()
	p, err := New(Config{URL: "ws://" + rl.Addr().String() + "/ingest/line", PublishToken: "wrong-publish-token-000", ViewToken: viewToken}, hub.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if st := waitStatus(t, p, "refused"); !strings.Contains(st.Error, "401") {
		t.Fatalf("push status %+v, want the 401 explained", st)
	}
}
