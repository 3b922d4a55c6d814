package store_test

import (
	"os"
	"testing"

	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

func TestZZFill(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	s := storetest.Open(t, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=zzs", "")
	fillForSearch(t, s, 1_000_000)
	store.Analyze(s)
}
