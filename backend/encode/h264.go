// Package encode turns processed frames into H.264 with OpenH264 (Cisco's
// BSD-licensed encoder, Debian's libopenh264): constrained baseline, no
// B-frames, one access unit per frame, in Annex B with SPS and PPS before
// every keyframe, so a viewer or a recorder can start at any keyframe.
// Every other frame is one no frame refers to (two temporal layers), so a
// viewer whose link carries only half the frames can skip those and still
// decode the rest (Disposable). It needs cgo, like gocv: only the framecast command links it, never the
// relay.
package encode

/*
#cgo pkg-config: openh264
#include <stdlib.h>
#include <string.h>
#include <wels/codec_api.h>

static int fc_open(ISVCEncoder **enc, int w, int h, float fps, int bitrate, int keyEvery, int layers) {
	if (WelsCreateSVCEncoder(enc) != 0 || *enc == NULL) return -1;
	int quiet = WELS_LOG_QUIET;
	(**enc)->SetOption(*enc, ENCODER_OPTION_TRACE_LEVEL, &quiet);
	SEncParamExt p;
	(**enc)->GetDefaultParams(*enc, &p);
	p.iUsageType = CAMERA_VIDEO_REAL_TIME;
	p.iPicWidth = w;
	p.iPicHeight = h;
	p.fMaxFrameRate = fps;
	p.iTargetBitrate = bitrate;
	p.iMaxBitrate = UNSPECIFIED_BIT_RATE;
	p.iRCMode = RC_BITRATE_MODE;
	p.bEnableFrameSkip = 0;   // one access unit for every frame given
	p.uiIntraPeriod = keyEvery;
	p.eSpsPpsIdStrategy = CONSTANT_ID;
	p.bPrefixNalAddingCtrl = 0;
	p.iEntropyCodingModeFlag = 0; // CAVLC: constrained baseline
	p.iTemporalLayerNum = layers;
	p.iSpatialLayerNum = 1;
	p.iMultipleThreadIdc = 1;
	p.iNumRefFrame = 1;
	p.bEnableDenoise = 0;
	p.bEnableBackgroundDetection = 1;
	p.bEnableAdaptiveQuant = 1;
	p.bEnableSceneChangeDetect = 1;
	p.bEnableLongTermReference = 0;
	p.sSpatialLayers[0].iVideoWidth = w;
	p.sSpatialLayers[0].iVideoHeight = h;
	p.sSpatialLayers[0].fFrameRate = fps;
	p.sSpatialLayers[0].iSpatialBitrate = bitrate;
	p.sSpatialLayers[0].iMaxSpatialBitrate = UNSPECIFIED_BIT_RATE;
	p.sSpatialLayers[0].uiProfileIdc = PRO_BASELINE;
	p.sSpatialLayers[0].sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
	// Say what the picture is: OpenCV's BGR to I420 is BT.601 in limited
	// range. Without it a decoder guesses, and browsers take BT.709 for HD:
	// greens come out dark and reds and magentas too strong.
	p.sSpatialLayers[0].bVideoSignalTypePresent = 1;
	p.sSpatialLayers[0].uiVideoFormat = VF_UNDEF;
	p.sSpatialLayers[0].bFullRange = 0;
	p.sSpatialLayers[0].bColorDescriptionPresent = 1;
	p.sSpatialLayers[0].uiColorPrimaries = CP_SMPTE170M;
	p.sSpatialLayers[0].uiTransferCharacteristics = TRC_SMPTE170M;
	p.sSpatialLayers[0].uiColorMatrix = CM_SMPTE170M;
	if ((**enc)->InitializeExt(*enc, &p) != 0) {
		WelsDestroySVCEncoder(*enc);
		*enc = NULL;
		return -2;
	}
	int format = videoFormatI420;
	(**enc)->SetOption(*enc, ENCODER_OPTION_DATAFORMAT, &format);
	return 0;
}

// fc_encode encodes one I420 picture; the access unit is copied into out
// (cap bytes) and its length returned, or -1 on an error, -2 when out is too
// small (its needed size in *need). *type is the frame's type.
static int fc_encode(ISVCEncoder *enc, unsigned char *yuv, int w, int h, long long ms, int forceKey,
		unsigned char *out, int cap, int *need, int *type) {
	if (forceKey) (*enc)->ForceIntraFrame(enc, 1);
	SSourcePicture pic;
	memset(&pic, 0, sizeof pic);
	pic.iColorFormat = videoFormatI420;
	pic.iPicWidth = w;
	pic.iPicHeight = h;
	pic.iStride[0] = w;
	pic.iStride[1] = w / 2;
	pic.iStride[2] = w / 2;
	pic.pData[0] = yuv;
	pic.pData[1] = yuv + w * h;
	pic.pData[2] = yuv + w * h + (w / 2) * (h / 2);
	pic.uiTimeStamp = ms;
	SFrameBSInfo info;
	memset(&info, 0, sizeof info);
	if ((*enc)->EncodeFrame(enc, &pic, &info) != cmResultSuccess) return -1;
	*type = info.eFrameType;
	int n = 0;
	for (int l = 0; l < info.iLayerNum; l++) {
		SLayerBSInfo *layer = &info.sLayerInfo[l];
		for (int i = 0; i < layer->iNalCount; i++) n += layer->pNalLengthInByte[i];
	}
	*need = n;
	if (n > cap) return -2;
	int at = 0;
	for (int l = 0; l < info.iLayerNum; l++) {
		SLayerBSInfo *layer = &info.sLayerInfo[l];
		int size = 0;
		for (int i = 0; i < layer->iNalCount; i++) size += layer->pNalLengthInByte[i];
		memcpy(out + at, layer->pBsBuf, size);
		at += size;
	}
	return n;
}

static int fc_bitrate(ISVCEncoder *enc, int bitrate) {
	SBitrateInfo b;
	b.iLayer = SPATIAL_LAYER_ALL;
	b.iBitrate = bitrate;
	return (*enc)->SetOption(enc, ENCODER_OPTION_BITRATE, &b);
}

static void fc_close(ISVCEncoder *enc) {
	(*enc)->Uninitialize(enc);
	WelsDestroySVCEncoder(enc);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"time"
	"unsafe"

	"gocv.io/x/gocv"
)

// H264Config says what an H264 encoder makes.
type H264Config struct {
	// Width and Height are the picture's size; odd ones are made even (a
	// column or row is cut), as 4:2:0 needs.
	Width, Height int
	// FPS is the frame rate the rate control plans for.
	FPS float64
	// Bitrate is the target in bits a second.
	Bitrate int
	// KeyEvery is the most frames between two keyframes (a viewer joining
	// waits at most that long when nobody asks for one): 2 s of frames by
	// default, made even.
	KeyEvery int
	// TemporalLayers is 2 (the default): every other frame refers only to
	// the frame before it that is no such frame itself, and no frame refers
	// to it (its NAL units' nal_ref_idc is 0), so a viewer may skip it and
	// decode on; or 1: each frame refers to the one before.
	TemporalLayers int
}

// H264 encodes BGR frames of one size to H.264 access units. It is used by
// one goroutine at a time.
type H264 struct {
	enc      *C.ISVCEncoder
	cfg      H264Config
	yuv      gocv.Mat
	cropped  gocv.Mat
	out      []byte
	started  time.Time
	forceKey bool
}

// NewH264 opens an encoder.
func NewH264(cfg H264Config) (*H264, error) {
	cfg.Width, cfg.Height = cfg.Width&^1, cfg.Height&^1
	if cfg.Width < 16 || cfg.Height < 16 {
		return nil, fmt.Errorf("h264: a picture of %dx%d is too small to encode", cfg.Width, cfg.Height)
	}
	if cfg.FPS <= 0 {
		cfg.FPS = 30
	}
	if cfg.Bitrate <= 0 {
		return nil, errors.New("h264: the target bitrate must be positive")
	}
	if cfg.KeyEvery <= 0 {
		cfg.KeyEvery = int(2 * cfg.FPS)
	}
	switch cfg.TemporalLayers {
	case 0:
		cfg.TemporalLayers = 2
	case 1, 2:
	default:
		return nil, fmt.Errorf("h264: %d temporal layers: 1 or 2", cfg.TemporalLayers)
	}
	// OpenH264 counts the intra period in whole groups of its temporal
	// layers.
	cfg.KeyEvery = max(cfg.TemporalLayers, cfg.KeyEvery/cfg.TemporalLayers*cfg.TemporalLayers)
	e := &H264{cfg: cfg, yuv: gocv.NewMat(), cropped: gocv.NewMat(), started: time.Now()}
	if rc := C.fc_open(&e.enc, C.int(cfg.Width), C.int(cfg.Height), C.float(cfg.FPS), C.int(cfg.Bitrate), C.int(cfg.KeyEvery), C.int(cfg.TemporalLayers)); rc != 0 {
		_ = e.yuv.Close()
		_ = e.cropped.Close()
		return nil, fmt.Errorf("h264: OpenH264 refused %dx%d at %d bit/s (%d)", cfg.Width, cfg.Height, cfg.Bitrate, int(rc))
	}
	e.out = make([]byte, cfg.Width*cfg.Height) // grown when a frame needs more
	return e, nil
}

// Config is what the encoder makes.
func (e *H264) Config() H264Config { return e.cfg }

// RequestKey makes the next frame a keyframe.
func (e *H264) RequestKey() { e.forceKey = true }

// SetBitrate changes the target bitrate from the next frame on.
func (e *H264) SetBitrate(bps int) error {
	if bps <= 0 {
		return errors.New("h264: the target bitrate must be positive")
	}
	if rc := C.fc_bitrate(e.enc, C.int(bps)); rc != 0 {
		return fmt.Errorf("h264: OpenH264 refused the bitrate %d (%d)", bps, int(rc))
	}
	e.cfg.Bitrate = bps
	return nil
}

// Encode encodes a BGR frame of the encoder's size (or one row or column
// more, cut) and returns its access unit in Annex B, valid until the next
// call, and whether it is a keyframe (SPS, PPS, IDR).
func (e *H264) Encode(frame gocv.Mat) (au []byte, key bool, err error) {
	w, h := e.cfg.Width, e.cfg.Height
	src := frame
	if frame.Cols() != w || frame.Rows() != h {
		if frame.Cols() < w || frame.Rows() < h || frame.Cols() > w+1 || frame.Rows() > h+1 {
			return nil, false, fmt.Errorf("h264: a %dx%d frame given to a %dx%d encoder", frame.Cols(), frame.Rows(), w, h)
		}
		region := frame.Region(image.Rect(0, 0, w, h))
		region.CopyTo(&e.cropped)
		region.Close()
		src = e.cropped
	}
	gocv.CvtColor(src, &e.yuv, gocv.ColorBGRToYUVI420)
	yuv, err := e.yuv.DataPtrUint8()
	if err != nil {
		return nil, false, fmt.Errorf("h264: %w", err)
	}
	force := 0
	if e.forceKey {
		force = 1
		e.forceKey = false
	}
	ms := C.longlong(time.Since(e.started).Milliseconds())
	for {
		var need, typ C.int
		n := C.fc_encode(e.enc, (*C.uchar)(unsafe.Pointer(&yuv[0])), C.int(w), C.int(h), ms, C.int(force),
			(*C.uchar)(unsafe.Pointer(&e.out[0])), C.int(len(e.out)), &need, &typ)
		switch {
		case n == -2:
			// The access unit was encoded but did not fit: encoding again
			// would be another frame, so take a buffer that fits and ask
			// for a keyframe, which stands on its own.
			e.out = make([]byte, int(need)*2)
			force = 1
			continue
		case n < 0:
			return nil, false, errors.New("h264: OpenH264 failed to encode a frame")
		}
		return e.out[:n], typ == C.videoFrameTypeIDR || typ == C.videoFrameTypeI, nil
	}
}

// Close frees the encoder.
func (e *H264) Close() {
	if e.enc != nil {
		C.fc_close(e.enc)
		e.enc = nil
	}
	_ = e.yuv.Close()
	_ = e.cropped.Close()
}
