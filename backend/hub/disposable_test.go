package hub

import (
	"bytes"
	"testing"

	"framecast/backend/protocol"
)

// Access units as an encoder of two temporal layers makes them: a keyframe
// (SPS, PPS, IDR slice), a frame others refer to (nal_ref_idc 3), and one
// none refers to (nal_ref_idc 0).
var (
	keyUnit  = []byte{0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 0x88, 0x84}
	refUnit  = []byte{0, 0, 0, 1, 0x61, 0x9A, 0x02}
	dropUnit = []byte{0, 0, 0, 1, 0x01, 0x9A, 0x04}
)

func h264Frame(t *testing.T, seq uint64, unit []byte) *Frame {
	t.Helper()
	f, err := NewFrame(protocol.Header{Seq: seq, Codec: protocol.CodecH264, Key: bytes.Equal(unit, keyUnit)}, unit)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAFrameIsDisposableWhenNoOtherFrameRefersToIt(t *testing.T) {
	cases := []struct {
		name string
		f    func(t *testing.T) *Frame
		want bool
	}{
		{"a JPEG is not", func(t *testing.T) *Frame { return frame(t, 1) }, false},
		{"a keyframe is not", func(t *testing.T) *Frame { return h264Frame(t, 1, keyUnit) }, false},
		{"a frame with nal_ref_idc 3 is not", func(t *testing.T) *Frame { return h264Frame(t, 1, refUnit) }, false},
		{"a frame with nal_ref_idc 0 is", func(t *testing.T) *Frame { return h264Frame(t, 1, dropUnit) }, true},
		{"a frame with nal_ref_idc 0 after a delimiter is", func(t *testing.T) *Frame {
			return h264Frame(t, 1, append([]byte{0, 0, 1, 0x09, 0xF0}, dropUnit...))
		}, true},
		{"a frame published under another key still is", func(t *testing.T) *Frame { return h264Frame(t, 1, dropUnit).As("x") }, true},
		{"a truncated unit is not", func(t *testing.T) *Frame { return h264Frame(t, 1, []byte{0, 0, 1}) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.f(t).Disposable(); got != c.want {
				t.Fatalf("Disposable() = %v, want %v", got, c.want)
			}
		})
	}
}

func TestAWaitingFrameOthersReferToIsNotReplacedByOneNoneRefersTo(t *testing.T) {
	cases := []struct {
		name           string
		units          [][]byte // offered in order, none taken
		kept           uint64   // the seq left in the mailbox (from 1)
		drops, refDrop uint64
	}{
		{"a disposable frame after a referenced one is skipped", [][]byte{refUnit, dropUnit}, 1, 1, 0},
		{"a disposable frame is replaced by a referenced one", [][]byte{dropUnit, refUnit}, 2, 1, 0},
		{"a disposable frame is replaced by a disposable one", [][]byte{dropUnit, dropUnit}, 2, 1, 0},
		{"a referenced frame replaced by another is a skip that breaks decoding", [][]byte{refUnit, refUnit}, 2, 1, 1},
		{"half the frames of two layers: only referenced ones skipped break it", [][]byte{keyUnit, dropUnit, refUnit, dropUnit}, 3, 3, 1},
		{"a keyframe stays over a disposable frame", [][]byte{keyUnit, dropUnit}, 1, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New()
			s := h.Subscribe("ws", "slow", "@h264")
			for i, u := range c.units {
				f := h264Frame(t, uint64(i+1), u)
				f.Rendition = "@h264"
				h.Publish(f)
			}
			f := s.TakeFrame()
			if f == nil || f.Header.Seq != c.kept || s.Drops() != c.drops || s.RefDrops() != c.refDrop {
				var seq uint64
				if f != nil {
					seq = f.Header.Seq
				}
				t.Fatalf("kept seq %d, %d drops (%d referenced); want %d, %d (%d)", seq, s.Drops(), s.RefDrops(), c.kept, c.drops, c.refDrop)
			}
		})
	}
}

func TestTheFanOutSkipsAsTheMailboxDoesAndCountsIt(t *testing.T) {
	cases := []struct {
		name           string
		first, second  []byte
		kept           uint64 // seq left waiting in the fan-out
		drops, refDrop uint64
	}{
		{"a disposable frame behind a referenced one is skipped", refUnit, dropUnit, 1, 1, 0},
		{"a referenced frame replaced is a skip that breaks decoding", refUnit, refUnit, 2, 1, 1},
		{"a disposable frame replaced costs nothing", dropUnit, refUnit, 2, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New()
			s := h.Subscribe("ws", "direct", "@h264")
			h.mu.Lock()
			h.fanning = true // as while the goroutine writes an earlier frame
			for i, u := range [][]byte{c.first, c.second} {
				f := h264Frame(t, uint64(i+1), u)
				f.Rendition = "@h264"
				h.fanOutLocked(fanJob{f: f, to: []*Subscriber{s}})
			}
			kept := h.fan["@h264"].f.Header.Seq
			h.mu.Unlock()
			if kept != c.kept || s.Drops() != c.drops || s.RefDrops() != c.refDrop {
				t.Fatalf("kept seq %d, %d drops (%d referenced); want %d, %d (%d)", kept, s.Drops(), s.RefDrops(), c.kept, c.drops, c.refDrop)
			}
		})
	}
}
