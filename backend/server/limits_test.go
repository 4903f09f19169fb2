package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestWrongTokensFromOneAddressGet429(t *testing.T) {
	s := startStreamWith(t, smallSettings(), Limits{MaxFailedTokens: 3})
	for i := 0; i < 3; i++ {
		if code := get(t, s.base+"/api/state?token=guess", nil).StatusCode; code != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i, code)
		}
	}
	resp := get(t, s.base+"/api/state?token=guess", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth guess: status %d, want 429 with Retry-After", resp.StatusCode)
	}
	if code := get(t, s.base+"/api/state?token="+token, nil).StatusCode; code != http.StatusTooManyRequests {
		t.Fatalf("right token during the lockout: status %d, want 429", code)
	}
	if code := get(t, s.base+"/healthz", nil).StatusCode; code != http.StatusOK {
		t.Fatalf("/healthz during the lockout: %d", code)
	}
}

func TestGuardForgetsAfterTheWindowAndCountsPerAddress(t *testing.T) {
	g := NewGuard(Limits{MaxFailedTokens: 2})
	t0 := time.Unix(1000, 0)
	g.failed("10.0.0.1", t0)
	g.failed("10.0.0.1", t0)
	cases := []struct {
		name string
		ip   string
		at   time.Time
		want bool
	}{
		{"the guessing address is blocked", "10.0.0.1", t0.Add(time.Second), true},
		{"another address is not", "10.0.0.2", t0.Add(time.Second), false},
		{"the guessing address is free again after the window", "10.0.0.1", t0.Add(failWindow + time.Second), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := g.blocked(c.ip, c.at); got != c.want {
				t.Fatalf("blocked = %v", got)
			}
		})
	}
}

func TestViewerLimitsRefuseWithAClearMessage(t *testing.T) {
	cases := []struct {
		name   string
		limits Limits
		code   int
		says   string
	}{
		{"a stream at its maximum of viewers refuses the next", Limits{MaxViewers: 2}, http.StatusServiceUnavailable, "maximum of 2 viewers"},
		{"an address at its maximum of connections is refused", Limits{MaxPerIP: 2}, http.StatusTooManyRequests, "too many connections"},
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
