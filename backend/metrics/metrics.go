// Package metrics exposes Framecast's figures in the Prometheus format:
// frames captured, encoded, skipped and dropped, encode and processing time,
// viewers, bytes sent and ingest errors. It keeps its own registry (no
// package globals) and reads counters from the engine and hub when scraped.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"framecast/backend/engine"
	"framecast/backend/hub"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Stream is what metrics reads from a stream's producer.
type Stream interface {
	Stats() engine.Stats
}

// Metrics is one process's metrics. Its Observe methods are safe for
// concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	encode       prometheus.Histogram
	process      *prometheus.HistogramVec
	ingestErrors prometheus.Counter
}

// costBuckets cover 0.1 ms to about 400 ms.
var costBuckets = prometheus.ExponentialBuckets(0.0001, 2, 13)

// New makes the metrics; add streams with AddStream.
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
	}
	m.reg.MustRegister(m.encode, m.process, m.ingestErrors,
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

// AddStream exports a stream's counters, labelled with its name.
func (m *Metrics) AddStream(name string, h *hub.Hub, s Stream) {
	m.reg.MustRegister(&streamCollector{name: name, hub: h, stream: s})
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

var (
	descCaptured = prometheus.NewDesc("framecast_frames_captured_total", "Frames read from the source.", []string{"stream"}, nil)
	descEncoded  = prometheus.NewDesc("framecast_frames_encoded_total", "Frames encoded and published.", []string{"stream"}, nil)
	descSkipped  = prometheus.NewDesc("framecast_frames_skipped_total", "Frames skipped because processing was busy.", []string{"stream"}, nil)
	descDropped  = prometheus.NewDesc("framecast_frames_dropped_total", "Frames replaced in viewers' mailboxes, all viewers.", []string{"stream"}, nil)
	descBytes    = prometheus.NewDesc("framecast_bytes_sent_total", "JPEG bytes sent to viewers.", []string{"stream"}, nil)
	descViewers  = prometheus.NewDesc("framecast_viewers", "Viewers connected now, by kind.", []string{"stream", "kind"}, nil)
	descViewerDr = prometheus.NewDesc("framecast_viewer_frames_dropped", "Frames dropped for each connected viewer.", []string{"stream", "viewer", "kind"}, nil)
)

// streamCollector reads one stream's counters at scrape time.
type streamCollector struct {
	name   string
	hub    *hub.Hub
	stream Stream
}

func (c *streamCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCaptured, descEncoded, descSkipped, descDropped, descBytes, descViewers, descViewerDr} {
		ch <- d
	}
}

func (c *streamCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stream.Stats()
	bytes, drops := c.hub.Totals()
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), c.name)
	}
	counter(descCaptured, st.Captured)
	counter(descEncoded, st.Encoded)
	counter(descSkipped, st.Skipped)
	counter(descDropped, drops)
	counter(descBytes, bytes)
	kinds := map[string]int{}
	for _, v := range c.hub.Viewers(time.Now()) {
		kinds[v.Kind]++
		ch <- prometheus.MustNewConstMetric(descViewerDr, prometheus.GaugeValue, float64(v.Drops), c.name, strconv.FormatUint(v.ID, 10), v.Kind)
	}
	for _, k := range []string{"ws", "mjpeg", "preview", "push", "snapshot"} {
		ch <- prometheus.MustNewConstMetric(descViewers, prometheus.GaugeValue, float64(kinds[k]), c.name, k)
	}
}
