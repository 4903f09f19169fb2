// Package metrics exposes Framecast's figures in the Prometheus format:
// frames captured, encoded, skipped and dropped, encode and processing time,
// viewers, bytes sent and ingest errors. It keeps its own registry (no
// package globals) and reads counters from the engine and hub when scraped.
package metrics

import (
	"net/http"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Stream is one live stream as the metrics read it at scrape time.
type Stream struct {
	Name  string
	Hub   *hub.Hub
	Stats func() protocol.Stats
	// Relay marks a relayed stream: it counts pictures received and
	// refused instead of captured and encoded.
	Relay bool
}

// Metrics is one process's metrics. Its Observe methods are safe for
// concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	encode       prometheus.Histogram
	process      *prometheus.HistogramVec
	ingestErrors prometheus.Counter
	panics       prometheus.Counter
}

// costBuckets cover 0.1 ms to about 400 ms.
var costBuckets = prometheus.ExponentialBuckets(0.0001, 2, 13)

// New makes the metrics; Watch adds the streams.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		encode: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "framecast_encode_seconds", Help: "JPEG encode time per frame.", Buckets: costBuckets}),
		process: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "framecast_process_seconds", Help: "Time per frame of each processor.", Buckets: costBuckets},
			[]string{"processor"}),
		ingestErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "framecast_ingest_errors_total", Help: "Producer messages the relay refused."}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "framecast_http_panics_total", Help: "HTTP handlers that panicked (each is logged with its stack)."}),
	}
	m.reg.MustRegister(m.encode, m.process, m.ingestErrors, m.panics,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveEncode records one JPEG encode.
func (m *Metrics) ObserveEncode(d time.Duration) { m.encode.Observe(d.Seconds()) }

// ObserveProcess records one processor's time on one frame.
func (m *Metrics) ObserveProcess(name string, d time.Duration) {
	m.process.WithLabelValues(name).Observe(d.Seconds())
}

// IngestError counts a refused producer message.
func (m *Metrics) IngestError() { m.ingestErrors.Inc() }

// Panic counts an HTTP handler that panicked.
func (m *Metrics) Panic() { m.panics.Inc() }

// Watch exports the counters of every stream list returns, read at each
// scrape, so streams may come and go. Call it once.
func (m *Metrics) Watch(list func() []Stream) {
	m.reg.MustRegister(streamsCollector(list))
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

var (
	descCaptured = prometheus.NewDesc("framecast_frames_captured_total", "Frames read from the source.", []string{"stream"}, nil)
	descEncoded  = prometheus.NewDesc("framecast_frames_encoded_total", "Frames encoded and published.", []string{"stream"}, nil)
	descSkipped  = prometheus.NewDesc("framecast_frames_skipped_total", "Frames skipped because processing was busy.", []string{"stream"}, nil)
	descReceived = prometheus.NewDesc("framecast_frames_received_total", "Pictures a relay took from the stream's producers.", []string{"stream"}, nil)
	descRefused  = prometheus.NewDesc("framecast_messages_refused_total", "Producer messages a relay refused for the stream.", []string{"stream"}, nil)
	descSent     = prometheus.NewDesc("framecast_frames_sent_total", "Frames written to viewers, all viewers.", []string{"stream"}, nil)
	descDropped  = prometheus.NewDesc("framecast_frames_dropped_total", "Frames replaced in viewers' mailboxes, all viewers.", []string{"stream"}, nil)
	descBytes    = prometheus.NewDesc("framecast_bytes_sent_total", "JPEG bytes sent to viewers.", []string{"stream"}, nil)
	descFPS      = prometheus.NewDesc("framecast_fps", "Frames per second coming in (captured or received) and going out (encoded or passed on).", []string{"stream", "direction"}, nil)
	descViewers  = prometheus.NewDesc("framecast_viewers", "Viewers connected now, by kind.", []string{"stream", "kind"}, nil)
)

// viewerKinds are the kinds of viewer a hub has; each gets a series, so
// the number of series does not depend on who connects.
var viewerKinds = []string{"ws", "mjpeg", "legacy", "preview", "push", "snapshot"}

// streamsCollector reads every live stream's counters at scrape time.
type streamsCollector func() []Stream

func (c streamsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCaptured, descEncoded, descSkipped, descReceived, descRefused,
		descSent, descDropped, descBytes, descFPS, descViewers} {
		ch <- d
	}
}

func (c streamsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c() {
		collectStream(ch, s)
	}
}

func collectStream(ch chan<- prometheus.Metric, s Stream) {
	st := s.Stats()
	t := s.Hub.Totals()
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), s.Name)
	}
	if s.Relay {
		counter(descReceived, st.Received)
		counter(descRefused, st.Refused)
	} else {
		counter(descCaptured, st.Captured)
		counter(descEncoded, st.Encoded)
		counter(descSkipped, st.Skipped)
	}
	counter(descSent, t.FramesSent)
	counter(descDropped, t.Drops)
	counter(descBytes, t.BytesSent)
	ch <- prometheus.MustNewConstMetric(descFPS, prometheus.GaugeValue, st.CaptureFPS, s.Name, "in")
	ch <- prometheus.MustNewConstMetric(descFPS, prometheus.GaugeValue, st.OutputFPS, s.Name, "out")
	kinds := map[string]int{}
	for _, v := range s.Hub.Viewers(time.Now()) {
		kinds[v.Kind]++
	}
	for _, k := range viewerKinds {
		ch <- prometheus.MustNewConstMetric(descViewers, prometheus.GaugeValue, float64(kinds[k]), s.Name, k)
	}
}
