package termchat

import (
	"regexp"
	"testing"
)

// TestUnreadMentionsAndRead: the welcome's counts print as one line, a
// mention once (a repeat after a resume is not printed), a read from
// another device not at all; /read marks the newest message shown of the
// current room, or of a thread.
func TestUnreadMentionsAndRead(t *testing.T) {
	s, conn, sent, out := recordingSession(t)
	ctx := t.Context()
	s.input(ctx, conn, "/read") // nothing shown yet
	for _, env := range []string{
		`{"type":"welcome","server_time":1732270000000,"user":{"login":"ada","first_name":"Ada","last_name":"L"},"room":"general","rooms":[],"commands":[],` +
			`"unread":[{"room":"general","count":2,"mentions":1,"last_read":1},{"room":"den","count":0,"mentions":0,"last_read":0},{"with":"bob","count":1,"mentions":0,"last_read":0}]}`,
		`{"type":"joined","room":"general","history":[{"type":"message","id":3,"room":"general","from":"bob","text":"hi @ada","sent_at":1732270000000,"client_id":"x","mentions":["ada"]}],"resumed":false,"more":false}`,
		`{"type":"private","id":4,"from":"bob","to":"ada","text":"psst","sent_at":1732270000000,"client_id":"y"}`,
		`{"type":"mention","id":5,"room":"den","message_id":5,"from":"cy","text":"@ada look","sent_at":1732270000000}`,
		`{"type":"mention","id":5,"room":"den","message_id":5,"from":"cy","text":"@ada look","sent_at":1732270000000}`,
		`{"type":"read","room":"general","message_id":3,"count":0,"mentions":0}`,
	} {
		s.handle([]byte(env))
	}
	s.input(ctx, conn, "/read")
	s.input(ctx, conn, "/read bob")
	got := regexp.MustCompile(`\[\d\d:\d\d:\d\d\]`).ReplaceAllString(out.String(), "[T]")
	want := `[T] * nothing shown there to mark read
[T] * connected to localhost:8080 as ada (Ada L); live rooms: ; #help lists the commands
[T] * unread: #general 2 (1 mentioning you), bob 1
[T] * you are in #general
[T] 3 bob: hi @ada
[T] 4 (private) bob → ada: psst
[T] @ cy mentioned you in #den: 5 @ada look
`
	if got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}
	for _, want := range []string{
		`{"type":"read","id":"t-1","room":"general","message_id":3}`,
		`{"type":"read","id":"t-2","with":"bob","message_id":4}`,
	} {
		if got := <-sent; got != want {
			t.Errorf("sent %s, want %s", got, want)
		}
	}
	if s.lastID != 5 {
		t.Errorf("resume would start after %d, want 5 (the mention)", s.lastID)
	}
}
