package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/account"
	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
)

const (
	ctxUser     = "sala.user"
	ctxIdentity = "sala.identity"
)

type authResponse struct {
	Token     string       `json:"token"`
	ExpiresAt int64        `json:"expires_at"`
	User      chat.Profile `json:"user"`
}

func sessionBody(s account.Session) authResponse {
	return authResponse{Token: s.Token, ExpiresAt: s.ExpiresAt.UnixMilli(), User: chat.ProfileOf(s.User)}
}

func (s *server) signup(c echo.Context) error {
	var in account.SignupInput
	if err := bindJSON(c, &in); chat.ErrorCode(err) == chat.EValidation {
		// A value of the wrong type: report it with every other problem.
		return s.Accounts.SignupProblems(in, err.(*chat.Error).Fields)
	} else if err != nil {
		return err
	}
	sess, err := s.Accounts.Signup(c.Request().Context(), in, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sessionBody(sess))
}

func (s *server) login(c echo.Context) error {
	var in account.LoginInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	sess, err := s.Accounts.Login(c.Request().Context(), in, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionBody(sess))
}

func (s *server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, chat.ProfileOf(userOf(c)))
}

// authenticate requires a valid bearer token and loads its user.
func (s *server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearer(c.Request())
		if !ok {
			return chat.Errorf(chat.EUnauthorized, "Send Authorization: Bearer <token>.")
		}
		if err := s.identify(c, token); err != nil {
			return err
		}
		return next(c)
	}
}

// identify verifies token and stores its identity and user in c.
func (s *server) identify(c echo.Context, token string) error {
	id, err := s.Tokens.Verify(token)
	if err != nil {
		return err
	}
	u, err := s.Accounts.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Set(ctxIdentity, id)
	c.Set(ctxUser, u)
	return nil
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

func userOf(c echo.Context) chat.User { return c.Get(ctxUser).(chat.User) }

func identityOf(c echo.Context) auth.Identity { return c.Get(ctxIdentity).(auth.Identity) }
