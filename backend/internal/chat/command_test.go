package chat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	ok := []struct {
		text string
		want Command
	}{
		{"#cR books", Command{Kind: CmdCreateRoom, Room: "books"}},
		{"#cr  Books_2-x ", Command{Kind: CmdCreateRoom, Room: "Books_2-x"}},
		{"#gR books", Command{Kind: CmdJoinRoom, Room: "books"}},
		{"#eR", Command{Kind: CmdLeaveRoom}},
		{"#exit", Command{Kind: CmdExit}},
		{"#lR", Command{Kind: CmdListRooms}},
		{"#IR", Command{Kind: CmdListRooms}},
		{"#dR books", Command{Kind: CmdDeleteRoom, Room: "books"}},
		{"#show users", Command{Kind: CmdShowUsers}},
		{"#show   USERS", Command{Kind: CmdShowUsers}},
		{`#\private Bob hi there`, Command{Kind: CmdPrivate, Login: "bob", Text: "hi there"}},
		{"#private bob  two  spaces kept", Command{Kind: CmdPrivate, Login: "bob", Text: "two  spaces kept"}},
		{"#help", Command{Kind: CmdHelp}},
	}
	for _, tc := range ok {
		got, err := ParseCommand(tc.text)
		if err != nil || got != tc.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tc.text, got, err, tc.want)
		}
	}
	bad := map[string]string{
		"#":                              EUnknownCommand,
		"# help":                         EUnknownCommand, // the word touches the #
		"# space after hash":             EUnknownCommand,
		"#what":                          EUnknownCommand,
		"#cR":                            EInvalidCommand,
		"#cR a b":                        EInvalidCommand,
		"#cR bad/name":                   EInvalidRoomName,
		"#cR " + strings.Repeat("r", 33): EInvalidRoomName,
		"#eR now":                        EInvalidCommand,
		"#show":                          EInvalidCommand,
		"#show rooms":                    EInvalidCommand,
		"#private bob":                   EInvalidCommand,
		"#private bob   ":                EInvalidCommand,
		"#private":                       EInvalidCommand,
		"#help me":                       EInvalidCommand,
	}
	for text, code := range bad {
		if _, err := ParseCommand(text); ErrorCode(err) != code {
			t.Errorf("ParseCommand(%q) error %v, want %s", text, err, code)
		}
	}
}

func TestValidateText(t *testing.T) {
	for text, valid := range map[string]bool{
		"hola": true, strings.Repeat("é", 4000): true, strings.Repeat("é", 4001): false,
		"": false, " \n\t ": false, "\xff": false, "a\x00b": false, "tab\tand\nnewline": true,
	} {
		if err := ValidateText(text); (err == nil) != valid {
			t.Errorf("ValidateText(%.20q) = %v, want valid=%v", text, err, valid)
		}
	}
}

// FuzzParseCommand: any text either parses into a command whose fields obey
// the rules or fails with a known code; it never panics.
func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{"#cR books", "#gR x", "#eR", "#exit", "#lR", "#IR", "#dR r", "#show users",
		`#\private bob hi`, "#private bob hi", "#help", "#", "#cR", "#private", "#\x00", "#cR é", "#private é x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ParseCommand(text)
		if err != nil {
			switch ErrorCode(err) {
			case EUnknownCommand, EInvalidCommand, EInvalidRoomName, EInvalidText:
				return
			}
			t.Fatalf("ParseCommand(%q): unexpected error %v", text, err)
		}
		switch cmd.Kind {
		case CmdCreateRoom, CmdJoinRoom, CmdDeleteRoom:
			if ValidateRoomName(cmd.Room) != nil {
				t.Fatalf("ParseCommand(%q) accepted room %q", text, cmd.Room)
			}
		case CmdPrivate:
			if cmd.Login == "" || ValidateText(cmd.Text) != nil || !utf8.ValidString(cmd.Text) {
				t.Fatalf("ParseCommand(%q) accepted %+v", text, cmd)
			}
		}
	})
}
