package chat

import (
	"slices"
	"strings"
	"unicode"
)

// A search (GET /api/v1/search) looks for messages holding every word of
// its query, each word as a prefix ("meet" finds "meeting"). The words are
// the query's runs of letters and digits, in lower case: what both stores'
// full-text indexes take as words, so a query never carries an operator of
// either syntax into it.

// MaxSearchTerms is how many words of a query a search uses: the rest are
// ignored rather than refused, a pasted sentence still finds its message.
const MaxSearchTerms = 8

// MaxSearchQueryLen is how many characters a search query may have.
const MaxSearchQueryLen = 200

// SearchTerms returns the distinct words of a query, in order, at most
// MaxSearchTerms of them.
func SearchTerms(q string) []string {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := make([]string, 0, min(len(words), MaxSearchTerms))
	for _, w := range words {
		if len(out) == MaxSearchTerms {
			break
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// SearchResultOut is a message a search found, as its history shows it, with
// the conversation it belongs to: Room for a room's message, With (the
// other person of the caller's private thread) for a private one.
type SearchResultOut struct {
	Type     string `json:"type"`
	ID       int64  `json:"id"`
	Room     string `json:"room,omitempty"`
	With     string `json:"with,omitempty"`
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
	Text     string `json:"text"`
	SentAt   int64  `json:"sent_at"`
	ClientID string `json:"client_id"`
	MessageState
}

// SearchResultOf is m as a search result for the user viewer.
func SearchResultOf(m Message, viewer string) SearchResultOut {
	if !m.IsPrivate() {
		return SearchResultOut{Type: TypeMessage, ID: m.ID, Room: m.Room, From: m.From, Text: m.Text,
			SentAt: m.SentAt, ClientID: m.ClientID, MessageState: stateOf(m)}
	}
	with := m.To
	if m.To == viewer {
		with = m.From
	}
	return SearchResultOut{Type: TypePrivate, ID: m.ID, With: with, From: m.From, To: m.To, Text: m.Text,
		SentAt: m.SentAt, ClientID: m.ClientID, MessageState: stateOf(m)}
}
