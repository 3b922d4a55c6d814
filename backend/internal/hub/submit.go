package hub

import (
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/writepath"
)

// How the hub's senders use the write path (package writepath): a
// connection gets its ack or error as an envelope, a REST caller on a
// channel. The broadcast that follows reaches every node's connections,
// this one's included, through Deliver.

// outcome is what a REST caller waits for.
type outcome struct {
	stored chat.Stored
	err    error
}

// submitFrom hands a message of connection c (its send envelope's id
// envID) to the write path.
func (h *Hub) submitFrom(c *Client, envID string, msg chat.NewMessage) error {
	at := time.Now()
	c.sent()
	err := h.writes.Submit(&writepath.Request{Msg: msg,
		Answer: func(st chat.Stored, err error) {
			if err != nil {
				c.enqueue(encode(chat.ErrorEnvelope(envID, err)))
				return
			}
			h.metrics.Acked(time.Since(at))
			c.enqueue(encode(chat.Ack{Type: chat.TypeAck, ID: envID, MessageID: st.Message.ID, SentAt: st.Message.SentAt}))
		},
		Settled: c.settled, // acked and broadcast: a waiting #exit may close
	})
	if err != nil {
		c.settled()
	}
	return err
}

// submitAndWait hands a REST caller's message to the write path; its
// outcome arrives on the returned channel.
func (h *Hub) submitAndWait(msg chat.NewMessage) (<-chan outcome, error) {
	at := time.Now()
	reply := make(chan outcome, 1)
	err := h.writes.Submit(&writepath.Request{Msg: msg, Answer: func(st chat.Stored, err error) {
		if err == nil {
			h.metrics.Acked(time.Since(at))
		}
		reply <- outcome{stored: st, err: err}
	}})
	return reply, err
}
