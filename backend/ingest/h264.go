package ingest

import (
	"bytes"
	"errors"
	"fmt"

	"framecast/backend/protocol"

	mch264 "github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// An H.264 frame from a producer is passed on to browsers' decoders, and
// to ffmpeg and recorders, as it came: the relay checks it holds what
// protocol.CodecH264 promises (one access unit in Annex B, constrained
// baseline, a keyframe an IDR with its SPS and PPS before it) without
// decoding the picture.

// maxNALUs bounds the NAL units of one access unit: an encoder writes an
// SPS, a PPS and a slice or a few per frame.
const maxNALUs = 64

// minSlice is the least a coded slice can take: its NAL header and a slice
// header of a few fields.
const minSlice = 4

// NAL unit types (ITU-T H.264, table 7-1) a constrained baseline stream
// carries.
const (
	naluSlice  = 1  // a slice of a picture predicted from others
	naluIDR    = 5  // a slice of an IDR picture: a keyframe
	naluSEI    = 6  // supplemental information
	naluSPS    = 7  // sequence parameter set
	naluPPS    = 8  // picture parameter set
	naluAUD    = 9  // access unit delimiter
	naluEnd    = 10 // end of sequence
	naluEndStr = 11 // end of stream
	naluFiller = 12 // filler data
)

// profileBaseline is the profile_idc of (constrained) baseline.
const profileBaseline = 66

// checkH264 refuses an access unit that is not what viewers are promised:
// at most maxSize bytes, Annex B NAL units of the types above, one picture
// (its slices all IDR or all not), an IDR exactly when h.Key says so, and
// a keyframe's SPS and PPS before its first slice, the SPS of constrained
// baseline and of h's size.
func checkH264(au []byte, h protocol.Header, maxSize int) error {
	if len(au) > maxSize {
		return fmt.Errorf("H.264 access unit of %d bytes is over the limit of %d", len(au), maxSize)
	}
	nalus, err := splitAnnexB(au)
	if err != nil {
		return err
	}
	var sps, pps, idr, slices bool
	for i, n := range nalus {
		if n[0]&0x80 != 0 {
			return fmt.Errorf("H.264 NAL unit %d: forbidden bit set", i)
		}
		switch typ := n[0] & 0x1F; typ {
		case naluSlice, naluIDR:
			if len(n) < minSlice {
				return fmt.Errorf("H.264 NAL unit %d: a slice of %d bytes is truncated", i, len(n))
			}
			if slices && (typ == naluIDR) != idr {
				return errors.New("H.264 access unit mixes IDR and non-IDR slices: one picture a frame")
			}
			if typ == naluIDR && (!sps || !pps) && !idr {
				return errors.New("H.264 keyframe without its SPS and PPS before its first slice")
			}
			slices, idr = true, typ == naluIDR
		case naluSPS:
			if err := checkSPS(n, h); err != nil {
				return err
			}
			sps = true
		case naluPPS:
			pps = true
		case naluSEI, naluAUD, naluEnd, naluEndStr, naluFiller:
		default:
			return fmt.Errorf("H.264 NAL unit %d of type %d: not in constrained baseline", i, typ)
		}
	}
	switch {
	case !slices:
		return errors.New("H.264 access unit without a picture (no slice)")
	case idr != h.Key:
		return fmt.Errorf("H.264 frame's header says key %v, its access unit %s an IDR picture", h.Key, map[bool]string{true: "is", false: "is not"}[idr])
	}
	return nil
}

// checkSPS checks a sequence parameter set: constrained baseline, h's size.
func checkSPS(n []byte, h protocol.Header) error {
	if len(n) > 1 && n[1] != profileBaseline { // profile_idc, the SPS's first byte
		return fmt.Errorf("H.264 profile %d: only constrained baseline (%d) is passed on", n[1], profileBaseline)
	}
	var sps mch264.SPS
	if err := sps.Unmarshal(n); err != nil {
		return fmt.Errorf("H.264 SPS: %w", err)
	}
	if w, ht := sps.Width(), sps.Height(); w != h.W || ht != h.H {
		return fmt.Errorf("H.264 SPS is of %dx%d, the frame's header says %dx%d", w, ht, h.W, h.H)
	}
	return nil
}

// splitAnnexB splits an access unit in Annex B into its NAL units: it
// starts with a start code (00 00 01, or 00 00 00 01), and no unit is
// empty or ends in a zero byte (a unit cut short, or a start code's first
// bytes). At most maxNALUs.
func splitAnnexB(au []byte) ([][]byte, error) {
	if !bytes.HasPrefix(au, []byte{0, 0, 1}) && !bytes.HasPrefix(au, []byte{0, 0, 0, 1}) {
		return nil, errors.New("H.264 access unit must be in Annex B: start with 00 00 00 01 or 00 00 01")
	}
	var out [][]byte
	rest := au
	for len(rest) > 0 {
		// rest starts with a start code: skip it.
		rest = rest[bytes.IndexByte(rest, 1)+1:]
		end := bytes.Index(rest, []byte{0, 0, 1})
		next := len(rest)
		if end >= 0 {
			next = end
			if end > 0 && rest[end-1] == 0 {
				end-- // a four-byte start code
			}
		} else {
			end = len(rest)
		}
		n := rest[:end]
		switch {
		case len(n) == 0:
			return nil, fmt.Errorf("H.264 NAL unit %d is empty", len(out))
		case n[len(n)-1] == 0:
			return nil, fmt.Errorf("H.264 NAL unit %d ends in a zero byte: cut short", len(out))
		case len(out) == maxNALUs:
			return nil, fmt.Errorf("H.264 access unit of more than %d NAL units", maxNALUs)
		}
		out = append(out, n)
		rest = rest[next:]
	}
	return out, nil
}
