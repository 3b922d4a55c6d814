package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/account"
	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
)

// FuzzSignupBody: any request body either binds and validates, or fails with
// one of the documented input errors; never a panic or an internal error.
func FuzzSignupBody(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Ada","last_name":"L","login":"ada","password":"12345678","age":36,"gender":"female"}`,
		`{"age":"x"}`, `{"age":1e400}`, `{"login":123}`, `[]`, `null`, `{"first_name":"\ud800"}`,
		`{"a":[[[[[[[[[[]]]]]]]]]]}`, `{"age":36}{"age":37}`, ``, `{"gender":null}`,
	} {
		f.Add([]byte(seed))
	}
	svc, err := account.NewService(nil, nil, auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}, account.DefaultLimits(0, 0, nil))
	if err != nil {
		f.Fatal(err)
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/signup", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		c := e.NewContext(req, httptest.NewRecorder())
		var in account.SignupInput
		err := bindJSON(c, &in)
		switch chat.ErrorCode(err) {
		case "":
			err = svc.SignupProblems(in, nil)
		case chat.EValidation:
			err = svc.SignupProblems(in, err.(*chat.Error).Fields)
		case chat.EInvalidRequest:
			return
		default:
			t.Fatalf("bind %q: unexpected %v", body, err)
		}
		var ce *chat.Error
		if code := chat.ErrorCode(err); code != chat.EValidation {
			t.Fatalf("validate %q: %v", body, err)
		} else if ce = err.(*chat.Error); len(ce.Fields) == 0 && (in.Age == nil || in.Login == "") {
			t.Fatalf("incomplete body %q passed validation", body)
		}
	})
}
