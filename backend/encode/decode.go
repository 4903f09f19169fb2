package encode

/*
#cgo pkg-config: openh264
#include <stdlib.h>
#include <string.h>
#include <wels/codec_api.h>

static int fc_dopen(ISVCDecoder **dec) {
	if (WelsCreateDecoder(dec) != 0 || *dec == NULL) return -1;
	int quiet = WELS_LOG_QUIET;
	(**dec)->SetOption(*dec, DECODER_OPTION_TRACE_LEVEL, &quiet);
	SDecodingParam p;
	memset(&p, 0, sizeof p);
	p.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
	p.eEcActiveIdc = ERROR_CON_DISABLE; // a broken frame is an error, not a guess
	if ((**dec)->Initialize(*dec, &p) != 0) {
		WelsDestroyDecoder(*dec);
		*dec = NULL;
		return -2;
	}
	return 0;
}

// fc_decode decodes one access unit. It returns 1 with the picture's
// planes and their strides (valid until the next call), 0 when the access
// unit made no picture, -1 on a decoding error.
static int fc_decode(ISVCDecoder *dec, unsigned char *au, int n, unsigned char **planes, int *w, int *h, int *sy, int *suv) {
	SBufferInfo info;
	memset(&info, 0, sizeof info);
	planes[0] = planes[1] = planes[2] = NULL;
	if ((*dec)->DecodeFrameNoDelay(dec, au, n, planes, &info) != dsErrorFree) return -1;
	if (info.iBufferStatus != 1) return 0;
	*w = info.UsrData.sSystemBuffer.iWidth;
	*h = info.UsrData.sSystemBuffer.iHeight;
	*sy = info.UsrData.sSystemBuffer.iStride[0];
	*suv = info.UsrData.sSystemBuffer.iStride[1];
	return 1;
}

static void fc_dclose(ISVCDecoder *dec) {
	(*dec)->Uninitialize(dec);
	WelsDestroyDecoder(dec);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"gocv.io/x/gocv"
)

// H264Decoder decodes access units back to pictures, with OpenH264's
// decoder: what a viewer sees of an encoder's output, for measuring its
// quality against the frames it was given. It is used by one goroutine at
// a time.
type H264Decoder struct {
	dec *C.ISVCDecoder
}

// NewH264Decoder opens a decoder.
func NewH264Decoder() (*H264Decoder, error) {
	d := &H264Decoder{}
	if rc := C.fc_dopen(&d.dec); rc != 0 {
		return nil, fmt.Errorf("h264: OpenH264's decoder failed to open (%d)", int(rc))
	}
	return d, nil
}

// Decode decodes one access unit (Annex B, as H264.Encode makes them) into
// dst as an I420 picture: a single-channel Mat of h*3/2 rows of w, the Y
// plane in its first h rows, as gocv's ColorBGRToYUVI420 lays them out. It
// reports whether the access unit made a picture.
func (d *H264Decoder) Decode(au []byte, dst *gocv.Mat) (bool, error) {
	if len(au) == 0 {
		return false, errors.New("h264: an empty access unit")
	}
	var planes [3]*C.uchar
	var w, h, sy, suv C.int
	switch C.fc_decode(d.dec, (*C.uchar)(unsafe.Pointer(&au[0])), C.int(len(au)), &planes[0], &w, &h, &sy, &suv) {
	case 0:
		return false, nil
	case -1:
		return false, errors.New("h264: OpenH264 could not decode an access unit")
	}
	pw, ph := int(w), int(h)
	yuv := make([]byte, 0, pw*ph*3/2)
	plane := func(p *C.uchar, stride, w, h int) {
		src := unsafe.Slice((*byte)(unsafe.Pointer(p)), stride*(h-1)+w)
		for y := range h {
			yuv = append(yuv, src[y*stride:y*stride+w]...)
		}
	}
	plane(planes[0], int(sy), pw, ph)
	plane(planes[1], int(suv), pw/2, ph/2)
	plane(planes[2], int(suv), pw/2, ph/2)
	m, err := gocv.NewMatFromBytes(ph*3/2, pw, gocv.MatTypeCV8UC1, yuv)
	if err != nil {
		return false, fmt.Errorf("h264: %w", err)
	}
	defer m.Close()
	m.CopyTo(dst)
	return true, nil
}

// Close frees the decoder.
func (d *H264Decoder) Close() {
	if d.dec != nil {
		C.fc_dclose(d.dec)
		d.dec = nil
	}
}
