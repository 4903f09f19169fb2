package protocol

import (
	"encoding/json"
	"testing"
)

func TestParseAck(t *testing.T) {
	own, _ := json.Marshal(Ack{Type: "ack", Seq: 12345})
	cases := []struct {
		name string
		msg  string
		seq  uint64
		ok   bool
	}{
		{"the viewer page's own ack is read", string(own), 12345, true},
		{"an ack with a trailing newline, as Go's json.Encoder writes it, is read", string(own) + "\n", 12345, true},
		{"another spelling of an ack is read too", `{ "seq": 7, "type": "ack" }`, 7, true},
		{"the largest seq is read", `{"type":"ack","seq":18446744073709551615}`, 1<<64 - 1, true},
		{"a seq past uint64 is no ack", `{"type":"ack","seq":18446744073709551616}`, 0, false},
		{"a negative seq is no ack", `{"type":"ack","seq":-1}`, 0, false},
		{"an empty seq is no ack", `{"type":"ack","seq":}`, 0, false},
		{"another type is no ack", `{"type":"hello","seq":3}`, 0, false},
		{"garbage is no ack", `{"type":"ack","seq":3`, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seq, ok := ParseAck([]byte(c.msg))
			if seq != c.seq || ok != c.ok {
				t.Fatalf("ParseAck(%s) = %d, %v; want %d, %v", c.msg, seq, ok, c.seq, c.ok)
			}
		})
	}
}

func BenchmarkParseAck(b *testing.B) {
	msg, _ := json.Marshal(Ack{Type: "ack", Seq: 123456})
	msg = append(msg, '\n')
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseAck(msg); !ok {
			b.Fatal("not an ack")
		}
	}
}
