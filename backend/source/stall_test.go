package source

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// TestAStalledNetworkSourceTimesOut serves MJPEG over HTTP for a moment and
// then goes silent without closing, like a camera whose network hung: the
// read must fail within StallTimeout, not hang.
func TestAStalledNetworkSourceTimesOut(t *testing.T) {
	img := gocv.IMRead(filepath.Join("..", "vision", "testdata", "face.jpg"), gocv.IMReadColor)
	defer img.Close()
	buf, err := gocv.IMEncode(gocv.JPEGFileExt, img)
	if err != nil {
		t.Fatal(err)
	}
	jpeg := append([]byte(nil), buf.GetBytes()...)
	buf.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stalled := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=b")
		for i := 0; i < 10; i++ {
			fmt.Fprintf(w, "--b\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(jpeg))
			_, _ = w.Write(jpeg)
			fmt.Fprint(w, "\r\n")
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
		close(stalled)
		<-r.Context().Done() // silent, and never closes
	})}
	go srv.Serve(ln)
	defer srv.Close()

	src := open(t, "http://"+ln.Addr().String()+"/cam.mjpg", Options{})
	m := gocv.NewMat()
	defer m.Close()
	var stallAt time.Time
	for i := 0; ; i++ {
		err := src.Read(&m)
		if stallAt.IsZero() {
			select {
			case <-stalled:
				stallAt = time.Now()
			default:
			}
		}
		if err != nil {
			if !errors.Is(err, ErrEnded) {
				t.Fatalf("read %d: %v, want ErrEnded", i, err)
			}
			break
		}
		if i > 100 {
			t.Fatal("more frames than the server sent")
		}
	}
	if stallAt.IsZero() {
		t.Fatal("the read failed before the server stalled")
	}
	if waited := time.Since(stallAt); waited > StallTimeout+3*time.Second {
		t.Fatalf("a stalled stream took %v to time out, want about %v", waited, StallTimeout)
	}
}
