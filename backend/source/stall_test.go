package source

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// TestAStalledNetworkSourceTimesOut serves MJPEG over HTTP for a moment and
// then goes silent without closing, like a camera whose network hung: the
// read must fail within StallTimeout, not hang.
func TestAStalledNetworkSourceTimesOut(t *testing.T) {
	withStallTimeout(t)
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
	// stallAt is when the server fell silent; it is written before stalled
	// is closed and read only after.
	var stallAt time.Time
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
		stallAt = time.Now()
		close(stalled)
		<-r.Context().Done() // silent, and never closes
	})}
	go srv.Serve(ln)
	defer srv.Close()

	src := open(t, "http://"+ln.Addr().String()+"/cam.mjpg", Options{})
	m := gocv.NewMat()
	defer m.Close()
	for i := 0; ; i++ {
		err := src.Read(&m)
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
	select {
	case <-stalled:
	default:
		t.Fatal("the read failed before the server stalled")
	}
	// Timed from the server's side: the read that waits for the frame that
	// never comes is the one that must give up.
	if waited := time.Since(stallAt); waited > StallTimeout+3*time.Second {
		t.Fatalf("a stalled stream took %v to time out, want about %v", waited, StallTimeout)
	}
}

// withStallTimeout does for one test what the program does at start, and
// puts the environment back after it.
func withStallTimeout(t *testing.T) {
	t.Helper()
	t.Setenv(FFmpegOptionsEnv, "") // only for its cleanup, which restores the variable
	if err := os.Unsetenv(FFmpegOptionsEnv); err != nil {
		t.Fatal(err)
	}
	if err := SetFFmpegStallTimeout(); err != nil {
		t.Fatal(err)
	}
}

func TestSetFFmpegStallTimeoutKeepsAPersonsOwnOptions(t *testing.T) {
	cases := []struct {
		name string
		own  *string // the person's value; nil: unset
		want string
	}{
		{"an unset variable gets the stall timeout", nil, "rw_timeout;5000000|timeout;5000000"},
		{"a person's own options are kept", ptr("rtsp_transport;tcp"), "rtsp_transport;tcp"},
		{"an empty value a person set is kept", ptr(""), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(FFmpegOptionsEnv, "")
			if c.own == nil {
				if err := os.Unsetenv(FFmpegOptionsEnv); err != nil {
					t.Fatal(err)
				}
			} else {
				t.Setenv(FFmpegOptionsEnv, *c.own)
			}
			if err := SetFFmpegStallTimeout(); err != nil {
				t.Fatal(err)
			}
			if got := os.Getenv(FFmpegOptionsEnv); got != c.want {
				t.Fatalf("%s = %q, want %q", FFmpegOptionsEnv, got, c.want)
			}
		})
	}
}

func TestOpeningASourceLeavesTheEnvironmentAlone(t *testing.T) {
	t.Setenv(FFmpegOptionsEnv, "")
	if err := os.Unsetenv(FFmpegOptionsEnv); err != nil {
		t.Fatal(err)
	}
	if src, err := Open(Spec{Kind: KindURL, URL: "http://127.0.0.1:1/none.mjpg"}, Options{}); err == nil {
		src.Close()
		t.Fatal("a stream on a closed port opened")
	}
	if v, set := os.LookupEnv(FFmpegOptionsEnv); set {
		t.Fatalf("opening a network source set %s=%q for the whole process", FFmpegOptionsEnv, v)
	}
}

func ptr(s string) *string { return &s }
