package termchat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/salachat/sala/backend/internal/chat"
)

// apiError is the body of every REST error.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// session is the body of a signup or login answer.
type authAnswer struct {
	Token string       `json:"token"`
	User  chat.Profile `json:"user"`
}

// authenticate asks for what is missing, then signs up or logs in.
func (s *session) authenticate(ctx context.Context) error {
	if s.cfg.Signup {
		return s.signup(ctx)
	}
	var err error
	if s.cfg.Login == "" {
		if s.cfg.Login, err = s.prompt("Login: "); err != nil {
			return err
		}
	}
	if s.cfg.Password == "" {
		if s.cfg.Password, err = s.promptPassword("Password: "); err != nil {
			return err
		}
	}
	return s.login(ctx)
}

// login exchanges the login and password for a token; the password is kept
// to log in again when the token expires during a long session.
func (s *session) login(ctx context.Context) error {
	var out authAnswer
	body := map[string]string{"login": s.cfg.Login, "password": s.cfg.Password}
	if err := s.post(ctx, "/api/v1/auth/login", body, &out); err != nil {
		return fmt.Errorf("log in as %s: %w", s.cfg.Login, err)
	}
	s.token, s.me = out.Token, out.User
	return nil
}

// signup asks for every field of a new account and creates it.
func (s *session) signup(ctx context.Context) error {
	fmt.Fprintln(s.out, "Creating an account on", s.base.String())
	ask := func(label string, dst *string) error {
		if *dst != "" {
			return nil
		}
		v, err := s.prompt(label)
		*dst = strings.TrimSpace(v)
		return err
	}
	var first, last, gender, ageText string
	for _, f := range []struct {
		label string
		dst   *string
	}{{"First name: ", &first}, {"Last name: ", &last}, {"Login (3–32 of a-z 0-9 _ . -): ", &s.cfg.Login}} {
		if err := ask(f.label, f.dst); err != nil {
			return err
		}
	}
	age := 0
	for age == 0 {
		ageText = ""
		if err := ask("Age: ", &ageText); err != nil {
			return err
		}
		if n, err := strconv.Atoi(ageText); err == nil {
			age = n
		} else {
			fmt.Fprintln(s.out, "  the age is a whole number of years")
		}
	}
	for !slices.Contains(chat.Genders, gender) {
		gender = ""
		if err := ask("Gender ("+strings.Join(chat.Genders, ", ")+"): ", &gender); err != nil {
			return err
		}
	}
	for s.cfg.Password == "" {
		pw, err := s.promptPassword("Password (8–128 characters): ")
		if err != nil {
			return err
		}
		again, err := s.promptPassword("Password again: ")
		if err != nil {
			return err
		}
		if pw != again {
			fmt.Fprintln(s.out, "  the passwords differ; once more")
			continue
		}
		s.cfg.Password = pw
	}
	body := map[string]any{"first_name": first, "last_name": last, "login": s.cfg.Login,
		"password": s.cfg.Password, "age": age, "gender": gender}
	var out authAnswer
	if err := s.post(ctx, "/api/v1/auth/signup", body, &out); err != nil {
		return fmt.Errorf("sign up as %s: %w", s.cfg.Login, err)
	}
	s.token, s.me = out.Token, out.User
	s.cfg.Login = out.User.Login
	return nil
}

// post sends body as JSON and decodes a 2xx answer into out; any other
// answer becomes an error with the server's code, message and fields.
func (s *session) post(ctx context.Context, path string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base.String()+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", s.base.Host, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 == 2 {
		return json.Unmarshal(data, out)
	}
	var e apiError
	if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
		return fmt.Errorf("%s answered %s", s.base.Host, res.Status)
	}
	msg := e.Error.Code + ": " + e.Error.Message
	fields := make([]string, 0, len(e.Error.Fields))
	for name, problem := range e.Error.Fields {
		fields = append(fields, name+" "+problem)
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		msg += " (" + strings.Join(fields, "; ") + ")"
	}
	return errors.New(msg)
}
