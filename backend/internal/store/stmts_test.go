package store

import (
	"testing"
)

// The hot reads are prepared once and then reused; a query that fails to
// prepare is not kept, so it is tried afresh next time.
func TestReadStatementsArePreparedOnce(t *testing.T) {
	s, err := open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.UserByID(t.Context(), 42); err == nil {
			t.Fatal("UserByID(42) on an empty database found someone")
		}
		if _, err := s.RoomHistory(t.Context(), 1, 0, 10); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.reads.m); n != 2 {
		t.Errorf("%d statements prepared for two queries run three times each; want 2", n)
	}
	var n int
	if err := s.getRead(t.Context(), &n, `SELECT nope FROM nowhere`); err == nil {
		t.Fatal("a query of a missing table prepared")
	}
	if n := len(s.reads.m); n != 2 {
		t.Errorf("%d statements after a failed prepare; want it not kept", n)
	}
}
