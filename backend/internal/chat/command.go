package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommandKind names a # command.
type CommandKind int

// The commands of the chat language (docs/protocol.md).
const (
	CmdCreateRoom CommandKind = iota + 1 // #cR <room>
	CmdJoinRoom                          // #gR <room>
	CmdLeaveRoom                         // #eR
	CmdExit                              // #exit
	CmdListRooms                         // #lR, #IR
	CmdDeleteRoom                        // #dR <room>
	CmdShowUsers                         // #show users
	CmdPrivate                           // #\private <login> <text>, #private
	CmdHelp                              // #help
)

// Command is a parsed # command.
type Command struct {
	Kind  CommandKind
	Room  string // create, join, delete
	Login string // private
	Text  string // private
}

// HelpItem documents one command for #help and for clients' hints.
type HelpItem struct {
	Command     string `json:"command"`
	Usage       string `json:"usage"`
	Description string `json:"description"`
}

// Help lists every command, in the order #help shows them.
var Help = []HelpItem{
	{"#cR", "#cR <room>", "create a room you own and move into it"},
	{"#gR", "#gR <room>", "move into an existing room"},
	{"#eR", "#eR", "go back to the default room"},
	{"#lR", "#lR", "list the live rooms with their number of participants (also #IR)"},
	{"#dR", "#dR <room>", "delete a room you created; its members go back to the default room"},
	{"#show users", "#show users", "list every registered user, online or not, and their room"},
	{"#private", "#private <login> <text>", "send a private message (also #\\private)"},
	{"#help", "#help", "list the commands"},
	{"#exit", "#exit", "leave the chat (closes the connection)"},
}

// IsCommand reports whether a send's text is a command.
func IsCommand(text string) bool { return strings.HasPrefix(text, "#") }

// ParseCommand parses the text of a send that starts with '#'. Command names
// are matched ignoring case. It returns unknown_command for a name it does
// not know and invalid_command, with the usage, for wrong arguments.
func ParseCommand(text string) (Command, error) {
	// The command word touches the '#': "# help" is no #help, and its error
	// names "#", not the word after the space.
	after := strings.TrimPrefix(text, "#")
	if first, _ := utf8.DecodeRuneInString(after); after == "" || unicode.IsSpace(first) {
		return Command{}, Errorf(EUnknownCommand, "unknown command \"#\": commands are # and a word, as in #help")
	}
	name, rest := splitWord(after)
	switch strings.ToLower(name) {
	case "cr":
		return roomCommand(CmdCreateRoom, "#cR <room>", rest)
	case "gr":
		return roomCommand(CmdJoinRoom, "#gR <room>", rest)
	case "dr":
		return roomCommand(CmdDeleteRoom, "#dR <room>", rest)
	case "er":
		return noArgs(CmdLeaveRoom, "#eR", rest)
	case "lr", "ir":
		return noArgs(CmdListRooms, "#lR", rest)
	case "exit":
		return noArgs(CmdExit, "#exit", rest)
	case "help":
		return noArgs(CmdHelp, "#help", rest)
	case "show":
		if strings.EqualFold(strings.TrimSpace(rest), "users") {
			return Command{Kind: CmdShowUsers}, nil
		}
		return Command{}, usage("#show users")
	case "private", `\private`:
		return privateCommand(rest)
	}
	return Command{}, Errorf(EUnknownCommand, "unknown command %q: #help lists the commands", "#"+name)
}

func roomCommand(kind CommandKind, use, rest string) (Command, error) {
	room, extra := splitWord(rest)
	if room == "" || extra != "" {
		return Command{}, usage(use)
	}
	if err := ValidateRoomName(room); err != nil {
		return Command{}, err
	}
	return Command{Kind: kind, Room: room}, nil
}

func noArgs(kind CommandKind, use, rest string) (Command, error) {
	if strings.TrimSpace(rest) != "" {
		return Command{}, usage(use)
	}
	return Command{Kind: kind}, nil
}

func privateCommand(rest string) (Command, error) {
	login, text := splitWord(rest)
	if login == "" || strings.TrimSpace(text) == "" {
		return Command{}, usage("#private <login> <text>")
	}
	if err := ValidateText(text); err != nil {
		return Command{}, err
	}
	return Command{Kind: CmdPrivate, Login: NormalizeLogin(login), Text: text}, nil
}

func usage(use string) error { return Errorf(EInvalidCommand, "usage: %s", use) }

// splitWord returns the first white-space separated word of s and the rest
// after the white space that follows it (the rest keeps its inner spacing,
// so a private message's text is sent as typed).
func splitWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeftFunc(s[i:], unicode.IsSpace)
}
