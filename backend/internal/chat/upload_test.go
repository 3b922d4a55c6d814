package chat_test

import (
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
)

// Attaching's rules (the sender's own, at most 10, ids that exist) are
// shown on both databases by cmd/sala's TestUploadsAttachedToMessages.

func TestParseCommandWithFiles(t *testing.T) {
	for text, want := range map[string]string{
		`#\private bob`:          "bob|",
		`#private Bob  the plan`: "bob|the plan",
		`#PRIVATE bob`:           "bob|",
		`#help`:                  chat.EInvalidCommand,
		`#cR den`:                chat.EInvalidCommand,
		`#private`:               chat.EInvalidCommand,
		`# private bob`:          chat.EUnknownCommand,
		"#private bob \x00":      chat.EInvalidText,
		`#nope bob`:              chat.EUnknownCommand,
	} {
		cmd, err := chat.ParseCommandWithFiles(text)
		got := cmd.Login + "|" + cmd.Text
		if err != nil {
			got = chat.ErrorCode(err)
		} else if cmd.Kind != chat.CmdPrivate {
			got = "kind " + string(rune('0'+cmd.Kind))
		}
		if got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
	if err := chat.ValidateBody("", 1); err != nil {
		t.Errorf("files alone: %v", err)
	}
	if err := chat.ValidateBody("", 0); chat.ErrorCode(err) != chat.EInvalidText {
		t.Errorf("nothing at all: %v", err)
	}
}
