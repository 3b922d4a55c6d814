package hub

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/salachat/sala/backend/internal/chat"
)

// Receive handles one frame from c. It runs on c's reader goroutine. A bad
// envelope gets an error envelope and the connection stays open, until
// MaxBadEnvelopes arrive in a row: then it is closed with 1008.
//
// Once the connection is closing (after #exit, or too many bad envelopes),
// frames that still arrive are dropped: an ack or reply to them could no
// longer be written, and a message stored and broadcast without its ack is
// one its sender would think lost.
func (h *Hub) Receive(ctx context.Context, c *Client, frame []byte, binary bool) {
	if !c.received(h.now()) {
		return
	}
	var in chat.Inbound
	err := decodeInbound(frame, binary, &in)
	if err == nil {
		err = h.dispatch(ctx, c, in)
	}
	if err == nil {
		c.badInARow = 0
		return
	}
	c.enqueue(encode(chat.ErrorEnvelope(in.ID, err)))
	if code := chat.ErrorCode(err); code == chat.EInvalidEnvelope || code == chat.EUnknownType {
		c.badInARow++
		if c.badInARow >= h.cfg.MaxBadEnvelopes {
			c.closeAfterFlush(chat.ClosePolicy)
		}
	} else {
		c.badInARow = 0
	}
}

func decodeInbound(frame []byte, binary bool, in *chat.Inbound) error {
	switch {
	case binary:
		return chat.Errorf(chat.EInvalidEnvelope, "binary frames are not accepted: send JSON text frames")
	case !utf8.Valid(frame):
		return chat.Errorf(chat.EInvalidEnvelope, "frames must be valid UTF-8")
	}
	return chat.DecodeInbound(frame, in)
}

func (h *Hub) dispatch(ctx context.Context, c *Client, in chat.Inbound) error {
	switch in.Type {
	case chat.TypePing:
		c.enqueue(encode(chat.Pong{Type: chat.TypePong, ID: in.ID, T0: in.T0, ServerTime: h.now().UnixMilli()}))
		return nil
	case chat.TypeReceipt:
		return h.receipt(ctx, c, in.LastID)
	case chat.TypeSend:
		if err := h.allow(c.user.ID); err != nil {
			return err
		}
		h.metrics.MessageIn()
		if chat.IsCommand(in.Text) {
			return h.command(ctx, c, in)
		}
		return h.sendToRoom(ctx, c, in)
	case chat.TypeEdit, chat.TypeDelete, chat.TypeReact:
		if err := h.allow(c.user.ID); err != nil {
			return err
		}
		msg, err := h.updateOf(ctx, c.user, in)
		if err != nil {
			return err
		}
		return h.submitFrom(c, in.ID, msg)
	case chat.TypeTyping:
		return h.typing(ctx, c, in.To)
	case chat.TypeRead:
		out, err := h.Read(ctx, c.user, in.Room, in.With, in.MessageID, c)
		if err != nil {
			return err
		}
		c.enqueue(encode(chat.Ack{Type: chat.TypeAck, ID: in.ID, MessageID: out.MessageID, SentAt: h.now().UnixMilli()}))
		return nil
	}
	return chat.Errorf(chat.EUnknownType, "unknown envelope type %q", in.Type)
}

// receipt records the highest message id c's client has shown: private
// messages count as delivered to its user up to it (see sendBacklog). It
// is stored only when it raises what this node knows of the user's.
func (h *Hub) receipt(ctx context.Context, c *Client, lastID int64) error {
	if lastID <= 0 {
		return chat.Errorf(chat.EInvalidEnvelope, "a receipt needs last_id, a message id")
	}
	h.mu.Lock()
	p := h.online[c.user.ID]
	raise := p != nil && lastID > p.receipt
	if raise {
		p.receipt = lastID
	}
	h.mu.Unlock()
	if !raise {
		return nil
	}
	if err := h.store.SetReceipt(ctx, c.user.ID, lastID); err != nil {
		h.log.Warn("store a receipt", "user", c.user.Login, "err", err)
	}
	return nil
}

// sendToRoom submits send envelope in to c's current room (answering
// message in.ReplyTo of that room when not 0, carrying in.Attachments);
// ack and broadcast follow from the write path.
func (h *Hub) sendToRoom(ctx context.Context, c *Client, in chat.Inbound) error {
	envID, text := in.ID, in.Text
	if err := chat.ValidateBody(text, len(in.Attachments)); err != nil {
		return err
	}
	r := c.currentRoom()
	if r == nil {
		return chat.Errorf(chat.EUnavailable, "connection closing")
	}
	msg := chat.NewMessage{
		RoomID: &r.id, Room: r.name, SenderID: c.user.ID, From: c.user.Login,
		Text: text, SentAt: h.now().UnixMilli(), ClientID: envID,
	}
	if err := h.replying(ctx, c.user, &msg, in.ReplyTo); err != nil {
		return err
	}
	if err := h.attaching(ctx, c.user, &msg, in.Attachments); err != nil {
		return err
	}
	if err := h.mentioning(ctx, c.user, &msg); err != nil {
		return err
	}
	return h.submitFrom(c, envID, msg)
}

// command runs a # command for c.
func (h *Hub) command(ctx context.Context, c *Client, in chat.Inbound) error {
	parse := chat.ParseCommand
	if len(in.Attachments) > 0 {
		parse = chat.ParseCommandWithFiles
	}
	cmd, err := parse(in.Text)
	if err != nil {
		return err
	}
	switch cmd.Kind {
	case chat.CmdCreateRoom:
		return h.createRoom(ctx, c, cmd.Room)
	case chat.CmdJoinRoom:
		r, err := h.liveRoom(cmd.Room)
		if err != nil {
			return err
		}
		return h.moveTo(ctx, c, r)
	case chat.CmdLeaveRoom:
		return h.moveTo(ctx, c, h.def)
	case chat.CmdDeleteRoom:
		return h.deleteRoomBy(ctx, c.user.ID, cmd.Room)
	case chat.CmdListRooms:
		c.enqueue(encode(chat.RoomsOut{Type: chat.TypeRooms, Rooms: h.Rooms()}))
	case chat.CmdShowUsers:
		users, err := h.Users(ctx)
		if err != nil {
			return err
		}
		c.enqueue(encode(chat.UsersOut{Type: chat.TypeUsers, Users: users}))
	case chat.CmdHelp:
		c.enqueue(encode(chat.HelpOut{Type: chat.TypeHelp, Commands: chat.Help}))
	case chat.CmdPrivate:
		return h.sendPrivate(ctx, c, in, cmd.Login, cmd.Text)
	case chat.CmdExit:
		// Messages sent just before #exit are acknowledged and broadcast
		// first: the sender sees its ack, the room sees the message.
		c.awaitAcks(exitPatience)
		c.mu.Lock()
		acked := c.acked
		c.mu.Unlock()
		h.awaitDelivered(acked, exitPatience) // and their broadcasts, on the bus
		// Leaving first: deleting the rooms it owns moves their members to
		// the default room, and a connection on its way out is not moved
		// there (everyone would hear it join and leave at once).
		c.closeAfterFlush(chat.CloseNormal)
		h.deleteOwnedRooms(ctx, c.user.ID)
	}
	return nil
}

// sendPrivate submits the private message text of send envelope in from
// c's user to login, answering message in.ReplyTo of their thread when not
// 0, carrying in.Attachments.
func (h *Hub) sendPrivate(ctx context.Context, c *Client, in chat.Inbound, login, text string) error {
	sender, envID := c.user, in.ID
	to, _, err := h.store.UserByLogin(ctx, chat.NormalizeLogin(login))
	if err != nil {
		return err
	}
	msg := chat.NewMessage{
		SenderID: sender.ID, From: sender.Login, RecipientID: &to.ID, To: to.Login,
		Text: text, SentAt: h.now().UnixMilli(), ClientID: envID,
	}
	if err := h.replying(ctx, sender, &msg, in.ReplyTo); err != nil {
		return err
	}
	if err := h.attaching(ctx, sender, &msg, in.Attachments); err != nil {
		return err
	}
	return h.submitFrom(c, envID, msg)
}

// PostRoomMessage stores a message from user in a live room (answering
// message replyTo of that room when not 0, carrying the uploads
// attachments) and broadcasts it, for the REST API. It returns once the
// message is durably stored.
func (h *Hub) PostRoomMessage(ctx context.Context, user chat.User, roomName, text, clientID string, replyTo int64,
	attachments ...string) (chat.Stored, error) {
	if err := chat.ValidateBody(text, len(attachments)); err != nil {
		return chat.Stored{}, err
	}
	r, err := h.liveRoom(roomName)
	if err != nil {
		return chat.Stored{}, err
	}
	if err := h.allow(user.ID); err != nil {
		return chat.Stored{}, err
	}
	msg := chat.NewMessage{
		RoomID: &r.id, Room: r.name, SenderID: user.ID, From: user.Login,
		Text: text, SentAt: h.now().UnixMilli(), ClientID: clientID,
	}
	if err := h.replying(ctx, user, &msg, replyTo); err != nil {
		return chat.Stored{}, err
	}
	if err := h.mentioning(ctx, user, &msg); err != nil {
		return chat.Stored{}, err
	}
	if err := h.attaching(ctx, user, &msg, attachments); err != nil {
		return chat.Stored{}, err
	}
	return h.wait(ctx, msg)
}

// PostPrivateMessage stores and delivers a private message (answering
// message replyTo of the thread when not 0, carrying the uploads
// attachments), for the REST API.
func (h *Hub) PostPrivateMessage(ctx context.Context, user chat.User, login, text, clientID string, replyTo int64,
	attachments ...string) (chat.Stored, error) {
	if err := chat.ValidateBody(text, len(attachments)); err != nil {
		return chat.Stored{}, err
	}
	if err := h.allow(user.ID); err != nil {
		return chat.Stored{}, err
	}
	to, _, err := h.store.UserByLogin(ctx, chat.NormalizeLogin(login))
	if err != nil {
		return chat.Stored{}, err
	}
	msg := chat.NewMessage{
		SenderID: user.ID, From: user.Login, RecipientID: &to.ID, To: to.Login,
		Text: text, SentAt: h.now().UnixMilli(), ClientID: clientID,
	}
	if err := h.replying(ctx, user, &msg, replyTo); err != nil {
		return chat.Stored{}, err
	}
	if err := h.attaching(ctx, user, &msg, attachments); err != nil {
		return chat.Stored{}, err
	}
	return h.wait(ctx, msg)
}

// wait submits msg and waits for its outcome.
func (h *Hub) wait(ctx context.Context, msg chat.NewMessage) (chat.Stored, error) {
	reply, err := h.submitAndWait(msg)
	if err != nil {
		return chat.Stored{}, err
	}
	select {
	case o := <-reply:
		return o.stored, o.err
	case <-ctx.Done():
		return chat.Stored{}, ctx.Err()
	case <-time.After(30 * time.Second):
		return chat.Stored{}, chat.Errorf(chat.EUnavailable, "the database did not answer in time")
	}
}

// exitPatience bounds how long #exit waits for the acks of the messages sent
// before it (the write path gives up on a batch after 10 s of database).
const exitPatience = 15 * time.Second
