package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
)

// A segment file is ftyp, moov (mediacommon's fmp4.Init), then fragments,
// each a moof and its mdat (fmp4.Part). Reading one walks the top-level
// boxes, reads each moof and seeks over its mdat.

var errBadBox = errors.New("not a box this package writes")

// sampleRef is where one sample is in a segment file and when it plays.
type sampleRef struct {
	off  int64  // in the file
	size uint32 //
	dts  int64  // ticks from the segment's start
	dur  uint32 // ticks
	sync bool   // a keyframe
}

// fragment is what one moof says.
type fragment struct {
	start, end int64 // ticks from the segment's start
	fileEnd    int64 // the offset just after its mdat
	count      int   // samples
	samples    []sampleRef
}

// boxHeader reads the header of the box at off: its type, whole size and
// header length. A box that does not fit before limit is an error.
func boxHeader(r io.ReaderAt, off, limit int64) (typ string, size int64, hdr int64, err error) {
	var b [16]byte
	if off+8 > limit {
		return "", 0, 0, io.ErrUnexpectedEOF
	}
	if _, err := r.ReadAt(b[:8], off); err != nil {
		return "", 0, 0, err
	}
	size, hdr = int64(binary.BigEndian.Uint32(b[:4])), 8
	if size == 1 {
		if off+16 > limit {
			return "", 0, 0, io.ErrUnexpectedEOF
		}
		if _, err := r.ReadAt(b[8:16], off+8); err != nil {
			return "", 0, 0, err
		}
		size, hdr = int64(binary.BigEndian.Uint64(b[8:16])), 16
	}
	if size < hdr || off+size > limit || size < 0 {
		return "", 0, 0, io.ErrUnexpectedEOF
	}
	return string(b[4:8]), size, hdr, nil
}

// readInit reads the ftyp and moov at the start of a segment and returns
// the H.264 parameters and where the first fragment starts.
func readInit(r io.ReaderAt, limit int64) (*mp4.CodecH264, int64, error) {
	typ, size, _, err := boxHeader(r, 0, limit)
	if err != nil || typ != "ftyp" {
		return nil, 0, fmt.Errorf("no ftyp: %w", errBadBox)
	}
	typ, msize, _, err := boxHeader(r, size, limit)
	if err != nil || typ != "moov" {
		return nil, 0, fmt.Errorf("no moov: %w", errBadBox)
	}
	end := size + msize
	var init fmp4.Init
	if err := init.Unmarshal(io.NewSectionReader(r, 0, end)); err != nil {
		return nil, 0, fmt.Errorf("moov: %w", err)
	}
	if len(init.Tracks) != 1 || init.Tracks[0].TimeScale != timeScale {
		return nil, 0, fmt.Errorf("moov: not one track at 90 kHz: %w", errBadBox)
	}
	c, ok := init.Tracks[0].Codec.(*mp4.CodecH264)
	if !ok {
		return nil, 0, fmt.Errorf("moov: not H.264: %w", errBadBox)
	}
	return c, end, nil
}

// walkFragments reads the fragments from off on, calling fn with each
// complete one until fn returns false, and returns the offset after the
// last complete one read: a fragment cut short, or anything that is not
// one, ends the walk there.
func walkFragments(r io.ReaderAt, off, limit int64, withSamples bool, fn func(fragment) bool) int64 {
	buf := make([]byte, 4096)
	for {
		// One read holds the moof and the mdat's header, most times.
		n, err := r.ReadAt(buf[:min(int64(len(buf)), limit-off)], off)
		if err != nil && err != io.EOF {
			return off
		}
		head := bufferAt{buf[:n], off, r}
		typ, size, hdr, err := boxHeader(head, off, limit)
		if err != nil || typ != "moof" || size > 1<<20 {
			return off
		}
		mtyp, msize, mhdr, err := boxHeader(head, off+size, limit)
		if err != nil || mtyp != "mdat" {
			return off
		}
		moof := buf[:size]
		if size > int64(n) {
			moof = make([]byte, size)
			if _, err := r.ReadAt(moof, off); err != nil {
				return off
			}
		}
		fr, err := parseMoof(moof[hdr:], off, off+size+mhdr, off+size+msize, withSamples)
		if err != nil {
			return off
		}
		off += size + msize
		fr.fileEnd = off
		if !fn(fr) {
			return off
		}
	}
}

// bufferAt reads from b, the bytes of r at off, or from r past them.
type bufferAt struct {
	b   []byte
	off int64
	r   io.ReaderAt
}

func (a bufferAt) ReadAt(p []byte, off int64) (int, error) {
	if in := off - a.off; in >= 0 && in+int64(len(p)) <= int64(len(a.b)) {
		return copy(p, a.b[in:]), nil
	}
	return a.r.ReadAt(p, off)
}

// children calls fn with each box inside b.
func children(b []byte, fn func(typ string, body []byte) error) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return errBadBox
		}
		size := int64(binary.BigEndian.Uint32(b))
		if size < 8 || size > int64(len(b)) {
			return errBadBox
		}
		if err := fn(string(b[4:8]), b[8:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}

// parseMoof reads a moof's body (one traf) whose box starts at moofOff and
// whose mdat's payload is [dataStart, dataEnd) of the file.
func parseMoof(body []byte, moofOff, dataStart, dataEnd int64, withSamples bool) (fragment, error) {
	var fr fragment
	trafs := 0
	err := children(body, func(typ string, b []byte) error {
		if typ != "traf" {
			return nil
		}
		trafs++
		var (
			tfdt     int64 = -1
			defDur   uint32
			defSize  uint32
			defFlags uint32
			haveTrun bool
		)
		return children(b, func(typ string, b []byte) error {
			if len(b) < 4 {
				return errBadBox
			}
			version, flags := b[0], uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])
			b = b[4:]
			switch typ {
			case "tfhd":
				if len(b) < 4 {
					return errBadBox
				}
				b = b[4:] // track ID
				if flags&0x1 != 0 {
					return errBadBox // we write offsets from the moof
				}
				fields := []struct {
					flag uint32
					dst  *uint32
				}{{0x2, nil}, {0x8, &defDur}, {0x10, &defSize}, {0x20, &defFlags}}
				for _, f := range fields {
					if flags&f.flag == 0 {
						continue
					}
					if len(b) < 4 {
						return errBadBox
					}
					if f.dst != nil {
						*f.dst = binary.BigEndian.Uint32(b)
					}
					b = b[4:]
				}
			case "tfdt":
				switch {
				case version == 1 && len(b) >= 8:
					tfdt = int64(binary.BigEndian.Uint64(b))
				case version == 0 && len(b) >= 4:
					tfdt = int64(binary.BigEndian.Uint32(b))
				default:
					return errBadBox
				}
			case "trun":
				if tfdt < 0 || haveTrun || len(b) < 4 {
					return errBadBox
				}
				haveTrun = true
				n := binary.BigEndian.Uint32(b)
				b = b[4:]
				dataOff := int64(0)
				if flags&0x1 != 0 {
					if len(b) < 4 {
						return errBadBox
					}
					dataOff = int64(int32(binary.BigEndian.Uint32(b)))
					b = b[4:]
				}
				firstFlags, haveFirst := uint32(0), false
				if flags&0x4 != 0 {
					if len(b) < 4 {
						return errBadBox
					}
					firstFlags, haveFirst = binary.BigEndian.Uint32(b), true
					b = b[4:]
				}
				per := 0
				for _, f := range []uint32{0x100, 0x200, 0x400, 0x800} {
					if flags&f != 0 {
						per += 4
					}
				}
				if uint64(len(b)) < uint64(n)*uint64(per) {
					return errBadBox
				}
				pos := moofOff + dataOff
				if pos < dataStart {
					return errBadBox
				}
				dts := tfdt
				fr.start = tfdt
				if withSamples {
					fr.samples = make([]sampleRef, 0, n)
				}
				for i := range n {
					dur, size, sflags := defDur, defSize, defFlags
					if i == 0 && haveFirst {
						sflags = firstFlags
					}
					if flags&0x100 != 0 {
						dur, b = binary.BigEndian.Uint32(b), b[4:]
					}
					if flags&0x200 != 0 {
						size, b = binary.BigEndian.Uint32(b), b[4:]
					}
					if flags&0x400 != 0 {
						sflags, b = binary.BigEndian.Uint32(b), b[4:]
					}
					if flags&0x800 != 0 {
						b = b[4:]
					}
					if pos+int64(size) > dataEnd {
						return errBadBox
					}
					if withSamples {
						fr.samples = append(fr.samples, sampleRef{off: pos, size: size, dts: dts, dur: dur, sync: sflags&0x10000 == 0})
					}
					pos += int64(size)
					dts += int64(dur)
				}
				fr.end = dts
				fr.count = int(n)
			}
			return nil
		})
	})
	if err != nil {
		return fragment{}, err
	}
	if trafs != 1 || fr.end <= fr.start {
		return fragment{}, errBadBox
	}
	return fr, nil
}
