package record

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

var startCode = []byte{0, 0, 1}

var errNotAnnexB = errors.New("not an H.264 access unit in Annex B")

// eachNALU calls fn with each NAL unit of an Annex B access unit, without
// copying.
func eachNALU(au []byte, fn func(nalu []byte)) error {
	i := bytes.Index(au, startCode)
	if i < 0 || bytes.ContainsFunc(au[:i], func(r rune) bool { return r != 0 }) {
		return errNotAnnexB
	}
	for i >= 0 {
		s := i + 3
		j := bytes.Index(au[s:], startCode)
		nalu := au[s:]
		if j >= 0 {
			nalu = au[s : s+j]
			i = s + j
		} else {
			i = -1
		}
		// Zeros before the next start code (a 4-byte one, or trailing
		// zeros) are not part of the NAL unit.
		if nalu = bytes.TrimRight(nalu, "\x00"); len(nalu) > 0 {
			fn(nalu)
		}
	}
	return nil
}

// appendAVCC appends an Annex B access unit as MP4 stores it: each NAL unit
// after its length in 4 bytes.
func appendAVCC(dst, au []byte) ([]byte, error) {
	err := eachNALU(au, func(nalu []byte) {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(nalu)))
		dst = append(dst, nalu...)
	})
	return dst, err
}

// parameters returns the SPS and PPS a keyframe starts with, nil when it
// has none or its SPS does not parse.
func parameters(au []byte) (sps, pps []byte) {
	_ = eachNALU(au, func(nalu []byte) {
		switch h264.NALUType(nalu[0] & 0x1f) {
		case h264.NALUTypeSPS:
			if sps == nil {
				sps = nalu
			}
		case h264.NALUTypePPS:
			if pps == nil {
				pps = nalu
			}
		}
	})
	if sps == nil || pps == nil {
		return nil, nil
	}
	var p h264.SPS
	if p.Unmarshal(sps) != nil || p.Width() <= 0 || p.Height() <= 0 {
		return nil, nil
	}
	return sps, pps
}
