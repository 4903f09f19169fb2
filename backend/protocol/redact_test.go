package protocol

import "testing"

func TestRedactKeepsSecretsOutOfLogs(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"a token in the query is hidden", "wss://relay.example.com/ingest/line1?token=secret&view=secret2", "wss://relay.example.com/ingest/line1?redacted"},
		{"a camera password is hidden", "rtsp://admin:secret@cam.local/live", "rtsp://admin:redacted@cam.local/live"},
		{"a file path is kept", "/videos/line.mp4", "/videos/line.mp4"},
		{"a URL without secrets is kept", "http://cam.local/mjpeg", "http://cam.local/mjpeg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Redact(c.in); got != c.want {
				t.Fatalf("Redact(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
