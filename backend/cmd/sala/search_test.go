package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// searchPage is an answer of GET /api/v1/search.
type searchPage struct {
	Results []envelope `json:"results"`
	More    bool       `json:"more"`
	Terms   []string   `json:"terms"`
}

func (s *testServer) search(token, query string) (searchPage, response) {
	s.t.Helper()
	r := s.request("GET", "/api/v1/search?"+query, token, nil)
	var page searchPage
	if r.status == http.StatusOK {
		r.json(s.t, &page)
	}
	return page, r
}

func resultIDs(page searchPage) []int64 {
	out := []int64{}
	for _, e := range page.Results {
		out = append(out, e.num("id"))
	}
	return out
}

// TestSearch: over REST, a search finds a word in a room message and in
// the caller's own private thread (with the thread's other person), never
// in another pair's; an edited message matches its new text, a deleted one
// nothing; pages go back with before. Every answer is checked against
// openapi.yaml.
func TestSearch(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob", "carol")
		alice, bob, carol := cs[0], cs[1], cs[2]
		room := alice.post("a1", "The quarterly Budget is ready", 0)
		toBob := alice.post("a2", `#\private bob budget numbers for you, Bob`, 0)
		bob.next("alice's private", isType("private", "id", toBob.num("id")))
		secret := bob.post("b1", `#\private carol secret budget talk`, 0).num("id")
		typo := carol.post("c1", "meeting at noon", 0)

		page, r := s.search(alice.token, "q=BUDGET")
		if r.status != http.StatusOK || !slices.Equal(resultIDs(page), []int64{toBob.num("id"), room.num("id")}) ||
			!slices.Equal(page.Terms, []string{"budget"}) || page.More {
			t.Fatalf("alice's search: %d %s", r.status, r.body)
		}
		if p := page.Results[0]; p.typ() != "private" || p.str("with") != "bob" || p.str("from") != "alice" {
			t.Errorf("private result: %v", p)
		}
		if m := page.Results[1]; m.typ() != "message" || m.str("room") != "general" || m.str("from") != "alice" {
			t.Errorf("room result: %v", m)
		}
		page, _ = s.search(bob.token, "q=budget")
		if got := resultIDs(page); !slices.Equal(got, []int64{secret, toBob.num("id"), room.num("id")}) {
			t.Errorf("bob's search: %v", got)
		}
		if page.Results[1].str("with") != "alice" {
			t.Errorf("bob sees alice's message to him with %q", page.Results[1].str("with"))
		}
		if page, _ := s.search(alice.token, "q=secret"); len(page.Results) != 0 {
			t.Errorf("alice finds bob and carol's private message: %v", page.Results)
		}

		edit := carol.act(map[string]any{"type": "edit", "id": "e1", "message_id": typo.num("id"), "text": "meeting at five"})
		if edit.typ() != "ack" {
			t.Fatalf("edit: %v", edit)
		}
		if page, _ := s.search(alice.token, "q=noon"); len(page.Results) != 0 {
			t.Errorf("an edited message matches its old text: %v", page.Results)
		}
		if page, _ := s.search(alice.token, "q=meet+fiv"); !slices.Equal(resultIDs(page), []int64{typo.num("id")}) {
			t.Errorf("an edited message by its new text: %v", page.Results)
		}
		if del := alice.act(map[string]any{"type": "delete", "id": "d1", "message_id": room.num("id")}); del.typ() != "ack" {
			t.Fatalf("delete: %v", del)
		}
		if page, _ := s.search(carol.token, "q=quarterly"); len(page.Results) != 0 {
			t.Errorf("a deleted message matches: %v", page.Results)
		}

		var want []int64
		for i := range 5 {
			want = append(want, alice.post(fmt.Sprint("p", i), fmt.Sprintf("standup %d", i), 0).num("id"))
		}
		slices.Reverse(want)
		page, _ = s.search(carol.token, "q=standup&limit=2")
		if !slices.Equal(resultIDs(page), want[:2]) || !page.More {
			t.Errorf("first page: %v more %v, want %v", resultIDs(page), page.More, want[:2])
		}
		page, _ = s.search(carol.token, fmt.Sprintf("q=standup&limit=3&before=%d", want[1]))
		if !slices.Equal(resultIDs(page), want[2:]) || page.More {
			t.Errorf("last page: %v more %v, want %v", resultIDs(page), page.More, want[2:])
		}

		for _, q := range []string{"q=", "q=%20-%2A", "", "q=" + url.QueryEscape(string(make([]byte, 201)))} {
			if _, r := s.search(alice.token, q); r.status != http.StatusBadRequest || r.errorCode(t) != "invalid_request" {
				t.Errorf("search %q: %d %s", q, r.status, r.body)
			}
		}
		if _, r := s.search("", "q=budget"); r.status != http.StatusUnauthorized {
			t.Errorf("search without a token: %d", r.status)
		}
	})
}

// TestHistoryAround: a history page around a message holds it, older ones
// below and newer above, and says whether more remain either way.
func TestHistoryAround(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob")
		alice := cs[0]
		var ids []int64
		for i := range 9 {
			ids = append(ids, alice.post(fmt.Sprint("m", i), fmt.Sprint("line ", i), 0).num("id"))
		}
		var page struct {
			Messages []envelope `json:"messages"`
			HasMore  bool       `json:"has_more"`
			HasNewer *bool      `json:"has_newer"`
		}
		r := s.request("GET", fmt.Sprintf("/api/v1/rooms/general/messages?around=%d&limit=4", ids[4]), alice.token, nil)
		r.json(t, &page)
		got := []int64{}
		for _, m := range page.Messages {
			got = append(got, m.num("id"))
		}
		if want := []int64{ids[6], ids[5], ids[4], ids[3]}; !slices.Equal(got, want) || !page.HasMore ||
			page.HasNewer == nil || !*page.HasNewer {
			t.Errorf("around the fifth: %v more %v newer %v; want %v, both", got, page.HasMore, page.HasNewer, want)
		}
		r = s.request("GET", fmt.Sprintf("/api/v1/rooms/general/messages?around=%d&limit=6", ids[7]), alice.token, nil)
		r.json(t, &page)
		if len(page.Messages) != 6 || page.Messages[0].num("id") != ids[8] || page.Messages[5].num("id") != ids[3] || *page.HasNewer || !page.HasMore {
			t.Errorf("around the eighth: %s", r.body)
		}

		for i := range 3 {
			alice.post(fmt.Sprint("d", i), fmt.Sprint(`#\private bob psst `, i), 0)
		}
		r = s.request("GET", "/api/v1/dm/bob/messages?limit=50", alice.token, nil)
		r.json(t, &page)
		mid := page.Messages[1].num("id")
		r = s.request("GET", fmt.Sprintf("/api/v1/dm/alice/messages?around=%d&limit=2", mid), cs[1].token, nil)
		r.json(t, &page)
		if len(page.Messages) != 2 || page.Messages[1].num("id") != mid || !page.HasMore || *page.HasNewer {
			t.Errorf("private around: %s", r.body)
		}
		if r := s.request("GET", fmt.Sprintf("/api/v1/rooms/general/messages?around=%d&before=9", mid), alice.token, nil); r.status != http.StatusBadRequest {
			t.Errorf("around with before: %d %s", r.status, r.body)
		}
	})
}
