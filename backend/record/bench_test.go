package record

import (
	"io"
	"testing"
	"time"
)

// BenchmarkRecorder writes 720p access units at 30 fps capture times with a
// detection or two each, as fast as the recorder takes them.
func BenchmarkRecorder(b *testing.B) {
	units := encoded(b, 1280, 720, 60)
	s := openStore(b, Options{})
	r, err := s.Recorder("cam", nil)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int
	for _, u := range units {
		bytes += len(u.au)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	feed(r, units, 1280, 720, t0, 0, b.N, motion)
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "frames/s")
	b.ReportMetric(float64(bytes)/float64(len(units)), "B/frame")
}

// BenchmarkClip5sOf5Min makes a 5 s clip from the middle of a 5-minute 720p
// recording and reads it: the time to its first byte and to its end.
func BenchmarkClip5sOf5Min(b *testing.B) {
	units := encoded(b, 1280, 720, 60)
	dir := b.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.Recorder("cam", nil)
	if err != nil {
		b.Fatal(err)
	}
	feed(r, units, 1280, 720, t0, 0, 5*60*30, motion)
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	opened := time.Now()
	s = openStore(b, Options{Dir: dir})
	open := time.Since(opened)
	var first, whole time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		c, err := s.Clip("cam", t0.Add(150*time.Second), 5*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		var one [1]byte
		if _, err := io.ReadFull(c, one[:]); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		if _, err := io.Copy(io.Discard, c); err != nil {
			b.Fatal(err)
		}
		whole += time.Since(start)
		_ = c.Close()
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "ms-first-byte")
	b.ReportMetric(float64(whole.Microseconds())/1000/float64(b.N), "ms-whole")
	b.ReportMetric(float64(open.Microseconds())/1000, "ms-open-store")
}
