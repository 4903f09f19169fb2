package relay

import (
	"framecast/backend/protocol"
	"net/http"
	"testing"
)

func TestALinkOpenedBeforeItsProducerIsNotValidYetThenWorks(t *testing.T) {
	rl := startRelayWith(t, func(_ *Config, d *Deps) { d.Assets = pageAssets })
	state := func(t *testing.T, tok string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + rl.Addr().String() + "/s/cam/api/state?token=" + tok)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get(protocol.RefusedHeader)
	}
	if code, why := state(t, viewToken); code != http.StatusUnauthorized || why != protocol.RefusedNotYet {
		t.Fatalf("before the producer: %d %q, want 401 %q", code, why, protocol.RefusedNotYet)
	}
	first := produce(t, rl, "cam", viewToken)
	if code, _ := state(t, viewToken); code != http.StatusOK {
		t.Fatalf("once the producer came: %d", code)
	}
	// The desktop's "New link": the producer comes back with another token.
	first.Close()
	waitFor(t, "the first producer gone", func() bool { p, _ := rl.table.Lookup("cam").producing(); return !p })
	rotated := viewToken + "-rotated"
	produce(t, rl, "cam", rotated)
	if code, why := state(t, viewToken); code != http.StatusUnauthorized || why != protocol.RefusedReplaced {
		t.Fatalf("the old link: %d %q, want 401 %q", code, why, protocol.RefusedReplaced)
	}
	if code, why := state(t, "never-a-token-0123456789"); code != http.StatusUnauthorized || why != protocol.RefusedNotYet {
		t.Fatalf("a wrong token: %d %q", code, why)
	}
}
