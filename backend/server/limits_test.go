package server

import (
	"framecast/backend/httpx"
	"framecast/internal/testnet"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

func TestWrongTokensGet429ButTheRightTokenIsAlwaysServed(t *testing.T) {
	// Each case guesses from an address of its own, as an office behind one
	// NAT where someone guesses (or holds an old link) while the others
	// watch with the right one.
	cases := []struct {
		name, from, path string
	}{
		{"the viewer page", "127.0.0.2", "/"},
		{"the state", "127.0.0.3", "/api/state"},
		{"a snapshot", "127.0.0.4", "/snapshot.jpg"},
	}
	s := startStreamWith(t, smallSettings(), httpx.Limits{MaxFailedTokens: 3})
	for _, c := range cases {
		t.Run(c.name+" answers the right token from an address locked out for wrong ones", func(t *testing.T) {
			hc := testnet.ClientFrom(t, c.from)
			status := func(tok string) (int, http.Header) {
				t.Helper()
				resp, err := hc.Get(s.base + c.path + "?token=" + tok)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				_, _ = io.Copy(io.Discard, resp.Body)
				return resp.StatusCode, resp.Header
			}
			for i := range 3 {
				if code, _ := status("guess"); code != http.StatusUnauthorized {
					t.Fatalf("guess %d: status %d, want 401", i, code)
				}
			}
			if code, h := status("guess"); code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
				t.Fatalf("fourth guess: status %d, want 429 with Retry-After", code)
			}
			if code, _ := status(token); code != http.StatusOK {
				t.Fatalf("the right token during the lockout: status %d, want 200", code)
			}
			if code, _ := status("guess"); code != http.StatusTooManyRequests {
				t.Fatalf("a wrong token after the right one: status %d, want 429 still", code)
			}
		})
	}
	t.Run("a WebSocket with the right token opens from a locked-out address", func(t *testing.T) {
		d := websocket.Dialer{NetDialContext: testnet.From("127.0.0.3").DialContext}
		conn, _, err := d.Dial(s.wsURL(token), nil)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if _, resp, err := d.Dial(s.wsURL("guess"), nil); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("a wrong token: %v, want 429", err)
		}
	})
	t.Run("/healthz needs no token during the lockout", func(t *testing.T) {
		if resp := get(t, s.base+"/healthz", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz during the lockout: %d", resp.StatusCode)
		}
	})
}

func TestViewerLimitsRefuseWithAClearMessage(t *testing.T) {
	cases := []struct {
		name   string
		limits httpx.Limits
		code   int
		says   string
	}{
		{"a stream at its maximum of viewers refuses the next", httpx.Limits{MaxViewers: 2}, http.StatusServiceUnavailable, "maximum of 2 viewers"},
		{"an address at its maximum of connections is refused", httpx.Limits{MaxPerIP: 2}, http.StatusTooManyRequests, "too many connections"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := startStreamWith(t, smallSettings(), c.limits)
			for i := 0; i < 2; i++ {
				conn, _, err := websocket.DefaultDialer.Dial(s.wsURL(token), nil)
				if err != nil {
					t.Fatalf("viewer %d: %v", i, err)
				}
				defer conn.Close()
			}
			_, resp, err := websocket.DefaultDialer.Dial(s.wsURL(token), nil)
			if err == nil || resp == nil || resp.StatusCode != c.code {
				t.Fatalf("third viewer: %v, want HTTP %d", err, c.code)
			}
			mjpeg := get(t, s.base+"/stream.mjpg?token="+token, nil)
			body := make([]byte, 200)
			n, _ := mjpeg.Body.Read(body)
			if mjpeg.StatusCode != c.code || !strings.Contains(string(body[:n]), c.says) {
				t.Fatalf("MJPEG viewer: %d %q, want %d saying %q", mjpeg.StatusCode, body[:n], c.code, c.says)
			}
		})
	}
}

func TestSnapshotsTakeAViewerSlotLikeAnyViewer(t *testing.T) {
	cases := []struct {
		name   string
		limits httpx.Limits
		code   int
		// otherAddress is whether a snapshot from another address is
		// served meanwhile.
		otherAddress bool
	}{
		{"an address holding its maximum of connections gets 429 for a snapshot, and another address its picture",
			httpx.Limits{MaxPerIP: 2}, http.StatusTooManyRequests, true},
		{"a stream at its maximum of viewers gets 503 for a snapshot from anyone",
			httpx.Limits{MaxViewers: 2}, http.StatusServiceUnavailable, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := startStreamWith(t, smallSettings(), c.limits)
			for range 2 {
				s.dial(t) // held until the test ends
			}
			if resp := get(t, s.base+"/snapshot.jpg?token="+token, nil); resp.StatusCode != c.code {
				t.Fatalf("snapshot from the address holding the viewers: %d, want %d", resp.StatusCode, c.code)
			}
			resp, err := testnet.ClientFrom(t, "127.0.0.3").Get(s.base + "/snapshot.jpg?token=" + token)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if served := resp.StatusCode == http.StatusOK; served != c.otherAddress {
				t.Fatalf("snapshot from another address: %d, want served %v", resp.StatusCode, c.otherAddress)
			}
		})
	}
}

func TestLimitsThatCannotWorkTogetherAreRefused(t *testing.T) {
	cases := []struct {
		name    string
		limits  httpx.Limits
		refused string // part of the error; "": valid
	}{
		{"the defaults work", httpx.Limits{}, ""},
		{"more viewers per address raise the default connection caps with them", httpx.Limits{MaxPerIP: 100000}, ""},
		{"more connections per address raise the default total with them", httpx.Limits{MaxConnsPerIP: 5000}, ""},
		{"one address may not take every connection", httpx.Limits{MaxConns: 64, MaxConnsPerIP: 64}, "--max-conns-per-ip 64"},
		{"an address's viewers must fit in its connections", httpx.Limits{MaxConnsPerIP: 10, MaxPerIP: 20}, "--max-per-ip 20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.limits.Validate()
			if c.refused == "" && err != nil {
				t.Fatal(err)
			}
			if c.refused != "" && (err == nil || !strings.Contains(err.Error(), c.refused)) {
				t.Fatalf("err = %v, want it to say %q", err, c.refused)
			}
		})
	}
	if _, err := httpx.Listen("127.0.0.1:0", nil, httpx.Limits{MaxConns: 8, MaxConnsPerIP: 8}, nil); err == nil {
		t.Fatal("Listen took limits that cannot work together")
	}
}
