package hub

import (
	"testing"
	"time"
)

func TestCodecKeysSplitIntoRenditionAndCodec(t *testing.T) {
	cases := []struct{ rendition, codec, key, back string }{
		{"", "jpeg", "", "jpeg"},
		{"360p", "", "360p", "jpeg"},
		{"", "h264", "@h264", "h264"},
		{"360p", "h264", "360p@h264", "h264"},
	}
	for _, c := range cases {
		if k := CodecKey(c.rendition, c.codec); k != c.key {
			t.Fatalf("CodecKey(%q, %q) = %q, want %q", c.rendition, c.codec, k, c.key)
		}
		if r, codec := SplitKey(c.key); r != c.rendition || codec != c.back {
			t.Fatalf("SplitKey(%q) = %q, %q", c.key, r, codec)
		}
	}
}

func TestKeyframesOnRequestComeAtMostEveryMinKeyGap(t *testing.T) {
	h := New()
	t0 := time.Unix(1000, 0)
	if h.KeyDue("@h264", t0) {
		t.Fatal("a keyframe is due though nobody asked")
	}
	h.RequestKey("@h264")
	if h.KeyDue("360p@h264", t0) {
		t.Fatal("a request for one key made another due")
	}
	if !h.KeyDue("@h264", t0) {
		t.Fatal("a keyframe asked for is not due")
	}
	h.KeyMade("@h264", t0)
	if h.KeyDue("@h264", t0.Add(time.Millisecond)) {
		t.Fatal("a request taken is due again")
	}
	// A crowd asks at once, right after a keyframe: one keyframe, after the gap.
	for range 50 {
		h.RequestKey("@h264")
	}
	if h.KeyDue("@h264", t0.Add(minKeyGap/2)) {
		t.Fatal("a keyframe was due within minKeyGap of the last")
	}
	if !h.KeyDue("@h264", t0.Add(minKeyGap)) {
		t.Fatal("the crowd's request was lost")
	}
	h.KeyMade("@h264", t0.Add(minKeyGap))
	if h.KeyDue("@h264", t0.Add(3*minKeyGap)) {
		t.Fatal("fifty requests made more than one keyframe")
	}
	// A keyframe made anyway (the periodic one) answers a request.
	h.RequestKey("@h264")
	h.KeyMade("@h264", t0.Add(4*minKeyGap))
	if h.KeyDue("@h264", t0.Add(6*minKeyGap)) {
		t.Fatal("a request answered by a periodic keyframe made another")
	}
}

func TestAKeyframeAskedForWakesWhoPassesRequestsOn(t *testing.T) {
	h := New()
	t0 := time.Unix(1000, 0)
	asked := h.KeyAsked()
	h.RequestKey("360p@h264")
	select {
	case <-asked:
	default:
		t.Fatal("a request did not wake the waiter")
	}
	asked = h.KeyAsked()
	h.RequestKey("360p@h264") // asked already: nothing new
	select {
	case <-asked:
		t.Fatal("a request already pending woke the waiter again")
	default:
	}
	h.RequestKey("@h264")
	keys, next := h.KeysWanted(t0)
	if len(keys) != 2 || keys[0] != "360p@h264" || keys[1] != "@h264" || next != 0 {
		t.Fatalf("KeysWanted = %q, %v; want both keys, due now", keys, next)
	}
	h.KeyMade("@h264", t0)
	keys, next = h.KeysWanted(t0.Add(minKeyGap / 5))
	if len(keys) != 1 || keys[0] != "360p@h264" || next != 0 {
		t.Fatalf("after a keyframe of @h264: %q, %v", keys, next)
	}
	h.KeyMade("360p@h264", t0)
	h.RequestKey("360p@h264")
	if keys, next = h.KeysWanted(t0.Add(minKeyGap / 5)); len(keys) != 1 || next != minKeyGap*4/5 {
		t.Fatalf("a request right after a keyframe: %q due in %v, want in %v", keys, next, minKeyGap*4/5)
	}
	if keys, next = h.KeysWanted(t0.Add(2 * minKeyGap)); len(keys) != 1 || next != 0 {
		t.Fatalf("a request after the gap: %q due in %v", keys, next)
	}
}
