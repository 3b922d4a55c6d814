package termchat

import "time"

// clock estimates the offset of the server's clock from ping/pong samples,
// as docs/protocol.md describes: the sample with the lowest round trip wins
// (its error is at most half of it), and the latency shown is the average
// round trip of the last 30 pings.
type clock struct {
	now     func() time.Time
	offset  int64 // server clock = local clock + offset, in ms
	synced  bool  // a pong has arrived: offset comes from bestRTT's sample
	bestRTT int64
	rtts    []int64
}

// start takes welcome's server_time as a first, rough estimate.
func (c *clock) start(serverTime int64) {
	if !c.synced {
		c.offset = serverTime - c.now().UnixMilli()
	}
}

// pong records the sample of a pong for a ping sent at local time t0.
func (c *clock) pong(t0, serverTime int64) {
	t1 := c.now().UnixMilli()
	rtt := max(t1-t0, 0)
	if !c.synced || rtt <= c.bestRTT {
		c.synced, c.bestRTT = true, rtt
		c.offset = serverTime + rtt/2 - t1
	}
	c.rtts = append(c.rtts, rtt)
	if len(c.rtts) > 30 {
		c.rtts = c.rtts[1:]
	}
}

// serverNow is the current time on the server's clock.
func (c *clock) serverNow() time.Time {
	return time.UnixMilli(c.now().UnixMilli() + c.offset)
}

// latency is the average round trip of the recent pings, 0 before any.
func (c *clock) latency() time.Duration {
	if len(c.rtts) == 0 {
		return 0
	}
	var sum int64
	for _, r := range c.rtts {
		sum += r
	}
	return time.Duration(sum/int64(len(c.rtts))) * time.Millisecond
}
