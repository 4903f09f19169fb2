package engine

import (
	"os"
	"testing"
	"time"

	"framecast/internal/testclip"
)

func TestATruncatedOrCorruptFileKeepsTheStreamAlive(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(path string) error
	}{
		{"a file cut in half", func(p string) error {
			info, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, info.Size()/2)
		}},
		{"a file with garbage in the middle", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for i := len(b) / 3; i < len(b)*2/3; i++ {
				b[i] = byte(i * 7)
			}
			return os.WriteFile(p, b, 0o600)
		}},
	}
	for _, c := range cases {
		t.Run(c.name+" plays what it can and the stream goes on", func(t *testing.T) {
			path := testclip.Write(t, 60, 30, 320, 180)
			if err := c.spoil(path); err != nil {
				t.Fatal(err)
			}
			set := small()
			set.Source = path
			e, h := start(t, set, Deps{})
			s := h.Subscribe("test", "", "")
			defer h.Unsubscribe(s)
			deadline := time.Now().Add(3 * time.Second)
			n := 0
			for time.Now().Before(deadline) {
				next(t, s) // a frame, or the NO SIGNAL placeholder: never silence
				n++
			}
			if n < 3 {
				t.Fatalf("only %d frames in 3 s from a damaged file", n)
			}
			good := small()
			if err := e.Update(good); err != nil {
				t.Fatal(err)
			}
			waitStatus(t, h, "live")
			next(t, s)
		})
	}
}
