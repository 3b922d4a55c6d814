package chat

import (
	"reflect"
	"testing"
)

func TestMentionCandidates(t *testing.T) {
	cases := []struct {
		text string
		want [][]string
	}{
		{"@bob hi", [][]string{{"bob"}}},
		{"hi @Bob, and @ana.g.", [][]string{{"bob"}, {"ana.g.", "ana.g"}}},
		{"@bob @bob again", [][]string{{"bob"}}},
		{"mail alice@example.com", nil},
		{"@bob's", [][]string{{"bob"}}},
		{"@bobé", nil},
		{"@bo too short", nil},
		{"@", nil},
		{"(@carol)", [][]string{{"carol"}}},
		{"@dave👍", [][]string{{"dave"}}},
	}
	for _, c := range cases {
		if got := MentionCandidates(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("MentionCandidates(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestLoginsScan(t *testing.T) {
	var l Logins
	if err := l.Scan([]byte("bob ana.g")); err != nil || !reflect.DeepEqual(l, Logins{"bob", "ana.g"}) {
		t.Fatalf("scan: %v %q", err, l)
	}
	if err := l.Scan(nil); err != nil || len(l) != 0 {
		t.Fatalf("scan nil: %v %q", err, l)
	}
	if v, _ := (Logins{"a", "b"}).Value(); v != "a b" {
		t.Fatalf("value %v", v)
	}
}
