// Package ingest reads what producers push to a relay: Framecast's binary
// frames (header JSON, then a JPEG or an H.264 access unit) and the old setup's text messages
// ("img=sq=data:image/jpeg;base64,…" pictures and "key=sq=value" metadata).
// Every message is checked; a bad one gets an error that says why.
package ingest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"framecast/backend/protocol"
)

// DefaultMaxFrame is the default limit on one picture's size.
const DefaultMaxFrame = 8 << 20

// ErrMetaTooLong is returned for metadata over protocol.MaxMetaKey or
// protocol.MaxMetaValue.
var ErrMetaTooLong = fmt.Errorf("metadata key over %d or value over %d bytes", protocol.MaxMetaKey, protocol.MaxMetaValue)

// ErrNotJPEG is returned for a picture that is not a JPEG.
var ErrNotJPEG = errors.New("not a JPEG (it must start with FF D8 FF)")

// Message is one parsed producer message: a frame, or metadata.
type Message struct {
	Frame  bool
	Header protocol.Header // for frames; Seq and TS are zero for old-style pictures
	Data   []byte          // for frames: the picture in Header's codec
	// Wire is the whole binary message the frame came in, which Data
	// aliases; nil for old-style pictures.
	Wire  []byte
	Key   string // for metadata
	Value string // for metadata
}

// checkJPEG refuses pictures that are too big or not JPEG.
func checkJPEG(jpeg []byte, maxSize int) error {
	if len(jpeg) > maxSize {
		return fmt.Errorf("picture of %d bytes is over the limit of %d", len(jpeg), maxSize)
	}
	if len(jpeg) < 4 || !bytes.HasPrefix(jpeg, []byte{0xFF, 0xD8, 0xFF}) {
		return ErrNotJPEG
	}
	return nil
}

// ParseBinary reads a binary frame message, as /ws sends them, of a JPEG
// or (Header.Codec) an H.264 access unit, checked (checkH264).
func ParseBinary(msg []byte, maxSize int) (Message, error) {
	h, data, err := protocol.DecodeFrame(msg)
	if err != nil {
		return Message{}, err
	}
	switch h.Codec {
	case "":
		if h.Key || h.Step != "" {
			return Message{}, errors.New(`a JPEG frame's header has no "key" or "step": every JPEG is a keyframe, of one quality`)
		}
		err = checkJPEG(data, maxSize)
	case protocol.CodecH264:
		err = checkH264(data, h, maxSize)
		if err == nil && h.Step != "" && h.Step != protocol.StepLow {
			err = fmt.Errorf("step %s: an H.264 frame's step is low or none", protocol.Quote(h.Step))
		}
	default:
		err = fmt.Errorf("codec %s: a frame is a JPEG (no codec) or h264", protocol.Quote(h.Codec))
	}
	if err != nil {
		return Message{}, err
	}
	return Message{Frame: true, Header: h, Data: data, Wire: msg}, nil
}

// ParseText reads an old-style text message.
func ParseText(msg []byte, maxSize int) (Message, error) {
	s := string(msg)
	if strings.HasPrefix(s, protocol.LegacyPicturePrefix) {
		b64 := s[len(protocol.LegacyPicturePrefix):]
		if base64.StdEncoding.DecodedLen(len(b64)) > maxSize+3 {
			return Message{}, fmt.Errorf("picture of about %d bytes is over the limit of %d", base64.StdEncoding.DecodedLen(len(b64)), maxSize)
		}
		jpeg, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return Message{}, fmt.Errorf("picture is not valid base64: %w", err)
		}
		if err := checkJPEG(jpeg, maxSize); err != nil {
			return Message{}, err
		}
		return Message{Frame: true, Data: jpeg}, nil
	}
	key, value, ok := strings.Cut(s, protocol.LegacySep)
	if !ok || key == "" {
		return Message{}, errors.New(`text message is neither "img=sq=data:image/jpeg;base64,…" nor "key=sq=value"`)
	}
	if key == "img" {
		return Message{}, errors.New("img=sq= must carry a data:image/jpeg;base64, URL")
	}
	if len(key) > protocol.MaxMetaKey || len(value) > protocol.MaxMetaValue {
		return Message{}, ErrMetaTooLong
	}
	return Message{Key: key, Value: value}, nil
}
