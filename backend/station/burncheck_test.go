package station

import (
	"bytes"
	"context"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"testing"
)

// Box colours, as vision draws them.
var (
	faceColour  = color.RGBA{0x22, 0xd3, 0xee, 0xff} // face boxes
	otherColour = color.RGBA{0x34, 0xe6, 0x81, 0xff} // labels other than face and motion
)

// coloured counts the pixels of a JPEG near c.
func coloured(t *testing.T, b []byte, c color.RGBA) int {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, uint32(c.R)) && near(g>>8, uint32(c.G)) && near(bl>>8, uint32(c.B)) {
				n++
			}
		}
	}
	return n
}

func near(v, want uint32) bool { return v+50 >= want && v <= want+50 }

// mjpegParts opens url's MJPEG stream; its parts are the pictures.
func mjpegParts(ctx context.Context, t *testing.T, url string) *multipart.Reader {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("MJPEG: %v %v", resp, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return multipart.NewReader(resp.Body, params["boundary"])
}

// burnedParts reads up to tries pictures of parts until one has want
// pixels near c, and fails the test if none has.
func burnedParts(t *testing.T, parts *multipart.Reader, tries, want int, c color.RGBA) {
	t.Helper()
	burned := 0
	for i := 0; i < tries && burned < want; i++ {
		part, err := parts.NextPart()
		if err != nil {
			t.Fatalf("MJPEG part: %v", err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		burned = coloured(t, b, c)
	}
	if burned < want {
		t.Fatalf("the MJPEG picture has %d pixels of the box colour, want the boxes drawn in", burned)
	}
}

// burnedSnapshot fails the test unless url's snapshot has want pixels
// near c.
func burnedSnapshot(t *testing.T, url string, want int, c color.RGBA) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := coloured(t, b, c); n < want {
		t.Fatalf("the snapshot has %d pixels of the box colour, want the boxes drawn in", n)
	}
}
