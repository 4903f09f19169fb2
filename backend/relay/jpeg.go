package relay

import "encoding/binary"

// jpegSize reads a JPEG's width and height from its start-of-frame marker,
// without decoding it; 0, 0 when there is none.
func jpegSize(b []byte) (w, h int) {
	i := 2 // after FF D8
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 0, 0
		}
		marker := b[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		// SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
		if marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
			if i+9 > len(b) {
				return 0, 0
			}
			return int(binary.BigEndian.Uint16(b[i+7:])), int(binary.BigEndian.Uint16(b[i+5:]))
		}
		i += 2 + n
	}
	return 0, 0
}
