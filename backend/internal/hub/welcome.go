package hub

import (
	"bytes"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// welcomeFor encodes the welcome envelope of a new connection of user
// landing in room, with its unread counts (read before h.mu was taken).
// h.mu is held.
//
// Its room list is the costly part (at a hundred rooms, sorting and
// encoding it was a tenth of a connect's CPU), and it is the same for
// everyone: it is encoded once and shared until the next rooms_changed push.
// A list built after the last push misses nothing a client needs, since
// every change after it goes out in the next push, which the new
// connection gets (the push clears the list, and clients apply pushes to
// the welcome's list).
func (h *Hub) welcomeFor(user chat.User, room string, now time.Time, unread []chat.UnreadEntry) []byte {
	if h.welcomeRooms == nil {
		h.welcomeRooms = encode(h.roomsLocked())
	}
	head := encode(welcomeHead{Type: chat.TypeWelcome, ServerTime: now.UnixMilli(),
		User: chat.ProfileOf(user), Room: room})
	var b bytes.Buffer
	b.Grow(len(head) + len(h.welcomeRooms) + len(helpJSON) + 32)
	b.Write(head[:len(head)-1]) // without its closing brace
	b.WriteString(`,"rooms":`)
	b.Write(h.welcomeRooms)
	b.WriteString(`,"commands":`)
	b.Write(helpJSON)
	b.WriteString(`,"unread":`)
	b.Write(encode(unread))
	b.WriteByte('}')
	return b.Bytes()
}

// welcomeHead is chat.Welcome without the parts welcomeFor adds encoded.
type welcomeHead struct {
	Type       string       `json:"type"`
	ServerTime int64        `json:"server_time"`
	User       chat.Profile `json:"user"`
	Room       string       `json:"room"`
}

// helpJSON is the command list, which never changes.
var helpJSON = encode(chat.Help)
