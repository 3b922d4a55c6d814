package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
)

// searchPage is the answer of GET /api/v1/search.
type searchPage struct {
	Results []chat.SearchResultOut `json:"results"`
	More    bool                   `json:"more"`
	// Terms are the words searched for, as the server read the query: the
	// clients mark the words of a result that begin with one of them.
	Terms []string `json:"terms"`
}

// search answers the messages the caller may read that hold every word of q.
func (s *server) search(c echo.Context) error {
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	q := c.QueryParam("q")
	if utf8.RuneCountInString(q) > chat.MaxSearchQueryLen {
		return invalidParam("q", "Must be at most 200 characters.")
	}
	terms := chat.SearchTerms(q)
	if len(terms) == 0 {
		return invalidParam("q", "Must hold a word: letters or digits.")
	}
	me := userOf(c)
	msgs, err := s.Store.SearchMessages(c.Request().Context(), me.ID, terms, before, limit+1)
	if err != nil {
		return err
	}
	out := searchPage{Results: make([]chat.SearchResultOut, 0, limit), More: len(msgs) > limit, Terms: terms}
	for _, m := range msgs[:min(limit, len(msgs))] {
		out.Results = append(out.Results, chat.SearchResultOf(m, me.Login))
	}
	return c.JSON(http.StatusOK, out)
}

// aroundParam reads the around parameter of a history request: 0 when absent.
func aroundParam(c echo.Context) (int64, error) {
	v := c.QueryParam("around")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, invalidParam("around", "Must be a message id.")
	}
	if c.QueryParam("before") != "" {
		return 0, invalidParam("around", "Give around or before, not both.")
	}
	return id, nil
}

// aroundReaders read a conversation's history back (id < before) and
// forward (id > after), as RoomHistory and RoomHistoryAfter do.
type aroundReaders struct {
	back    func(ctx context.Context, before int64, limit int) ([]chat.Message, error)
	forward func(ctx context.Context, after int64, limit int) ([]chat.Message, error)
}

// around reads the page of a history around message id, newest first: it
// and older messages below, newer ones above, up to half the page each,
// the older ones taking what the newer leave; more says older messages
// remain below, newer that newer ones remain above.
func (r aroundReaders) around(ctx context.Context, id int64, limit int) (msgs []chat.Message, more, newer bool, err error) {
	newerLimit := limit - max(1, limit/2)
	after, err := r.forward(ctx, id, newerLimit+1)
	if err != nil {
		return nil, false, false, err
	}
	newer = len(after) > newerLimit
	after = after[:min(newerLimit, len(after))]
	olderLimit := limit - len(after)
	older, err := r.back(ctx, id+1, olderLimit+1)
	if err != nil {
		return nil, false, false, err
	}
	more = len(older) > olderLimit
	slices.Reverse(after)
	return append(after, older[:min(olderLimit, len(older))]...), more, newer, nil
}
