// Package metrics exposes Sala's Prometheus metrics: it implements
// hub.Metrics and times HTTP requests by route. It uses its own registry, not
// the global default one.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Sala's collectors.
type Metrics struct {
	reg           *prometheus.Registry
	connections   prometheus.Gauge
	connsTotal    prometheus.Counter
	slowConsumers prometheus.Counter
	messagesIn    prometheus.Counter
	deliveries    prometheus.Counter
	frames        prometheus.Counter
	envelopesOut  prometheus.Counter
	stored        prometheus.Counter
	batchSize     prometheus.Histogram
	batchSeconds  prometheus.Histogram
	batchErrors   prometheus.Counter
	ackSeconds    prometheus.Histogram
	httpSeconds   *prometheus.HistogramVec
}

// New registers every collector, plus the Go runtime and process ones, on a
// new registry. liveRooms is read at scrape time.
func New(liveRooms func() int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{Name: "sala_connections",
			Help: "Open WebSocket connections."}),
		connsTotal: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_connections_total",
			Help: "WebSocket connections accepted."}),
		slowConsumers: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_slow_consumer_disconnects_total",
			Help: "Connections closed because their outbound queue overflowed (send-queue drops)."}),
		messagesIn: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_messages_in_total",
			Help: "send envelopes received (messages and commands)."}),
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_deliveries_total",
			Help: "Message envelopes queued to recipients (messages out)."}),
		frames: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_frames_out_total",
			Help: "WebSocket frames written (each may carry several envelopes)."}),
		envelopesOut: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_envelopes_out_total",
			Help: "Envelopes of every type written to WebSockets (messages, acks, events, …)."}),
		stored: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_messages_stored_total",
			Help: "Messages (room and private) written by committed group-commit transactions."}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sala_store_batch_size",
			Help: "Messages per group-commit transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 10)}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sala_store_batch_seconds",
			Help: "Duration of group-commit transactions.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		batchErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "sala_store_batch_errors_total",
			Help: "Group-commit transactions that failed (their messages got an error, no ack)."}),
		ackSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sala_message_ack_seconds",
			Help:    "From a message's arrival at the write path to its ack (group-commit wait, transaction, publish).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		httpSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sala_http_request_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"method", "route", "code"}),
	}
	rooms := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sala_rooms", Help: "Live rooms."},
		func() float64 { return float64(liveRooms()) })
	m.reg.MustRegister(m.connections, m.connsTotal, m.slowConsumers, m.messagesIn, m.deliveries, m.frames,
		m.envelopesOut, m.stored, m.batchSize, m.batchSeconds, m.batchErrors, m.ackSeconds, m.httpSeconds, rooms,
		// The live heap after the last GC (go_gc_heap_live_bytes) tells a leak
		// from garbage not yet collected, which the memstats gauges can't.
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsGC)),
		// How long goroutines waited for a CPU tells a busy core from a slow
		// database when sala_message_ack_seconds is small but clients see
		// delays.
		newGoroutineWait(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveHTTP records one HTTP request.
func (m *Metrics) ObserveHTTP(method, route, code string, took time.Duration) {
	m.httpSeconds.WithLabelValues(method, route, code).Observe(took.Seconds())
}

// ConnOpened counts a WebSocket connection accepted (hub.Metrics).
func (m *Metrics) ConnOpened() { m.connections.Inc(); m.connsTotal.Inc() }

// ConnClosed counts a WebSocket connection ended (hub.Metrics).
func (m *Metrics) ConnClosed() { m.connections.Dec() }

// SlowConsumer counts a connection closed because its queue overflowed.
func (m *Metrics) SlowConsumer() { m.slowConsumers.Inc() }

// MessageIn counts a send envelope received (a message or a command).
func (m *Metrics) MessageIn() { m.messagesIn.Inc() }

// Delivered counts the n envelopes of one message queued to recipients.
func (m *Metrics) Delivered(n int) { m.deliveries.Add(float64(n)) }

// FrameOut counts a WebSocket frame written and the envelopes it carried.
func (m *Metrics) FrameOut(envelopes int) { m.frames.Inc(); m.envelopesOut.Add(float64(envelopes)) }

// Acked records how long a message took from the write path's door to its ack.
func (m *Metrics) Acked(waited time.Duration) { m.ackSeconds.Observe(waited.Seconds()) }

// Batch records one group-commit transaction.
func (m *Metrics) Batch(size int, took time.Duration, err error) {
	m.batchSize.Observe(float64(size))
	m.batchSeconds.Observe(took.Seconds())
	if err != nil {
		m.batchErrors.Inc()
		return
	}
	m.stored.Add(float64(size))
}
