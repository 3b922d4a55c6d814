package hub

import "time"

// Metrics receives the hub's measurements. The metrics package implements it
// with Prometheus; NopMetrics discards them.
type Metrics interface {
	ConnOpened()
	ConnClosed()
	SlowConsumer()
	MessageIn()
	Delivered(n int)                               // envelopes of one message queued to recipients
	Batch(size int, took time.Duration, err error) // one group-commit transaction
	Acked(waited time.Duration)                    // a message acknowledged this long after it was submitted
}

// NopMetrics discards every measurement.
type NopMetrics struct{}

func (NopMetrics) ConnOpened()                     {}
func (NopMetrics) ConnClosed()                     {}
func (NopMetrics) SlowConsumer()                   {}
func (NopMetrics) MessageIn()                      {}
func (NopMetrics) Delivered(int)                   {}
func (NopMetrics) Batch(int, time.Duration, error) {}
func (NopMetrics) Acked(time.Duration)             {}
