// Package account signs users up and logs them in: validation of the signup
// rules, password hashing, token issuing and the login brute-force limit.
package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
)

// SignupInput is the body of POST /auth/signup. Age is a pointer so that a
// missing age is told apart from a wrong one.
type SignupInput struct {
	FirstName string `json:"first_name" validate:"required,max=64,nonul"`
	LastName  string `json:"last_name" validate:"required,max=64,nonul"`
	Login     string `json:"login" validate:"required,min=3,max=32,login"`
	Password  string `json:"password" validate:"required,min=8,max=128"`
	Age       *int   `json:"age" validate:"required,min=13,max=120"`
	Gender    string `json:"gender" validate:"required,oneof=female male non_binary other prefer_not_to_say"`
}

// LoginInput is the body of POST /auth/login.
type LoginInput struct {
	Login    string `json:"login" validate:"required,max=128"`
	Password string `json:"password" validate:"required,max=1024"`
}

// Session is what signup and login return.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      chat.User
}

// Service creates accounts and sessions.
type Service struct {
	store    chat.Store
	tokens   *auth.Tokens
	hash     auth.HashParams
	validate *validator.Validate
	limits   Limits
	// dummyHash is checked for unknown logins so that they take as long as
	// a wrong password and the two can't be told apart by timing.
	dummyHash string
	// hashing bounds the argon2id computations running at once: each takes
	// 19 MiB, so a burst of 200 signups would otherwise hold 3.8 GB (the
	// soak test saw it). Callers wait their turn instead.
	hashing chan struct{}
}

// NewService returns an account service.
func NewService(store chat.Store, tokens *auth.Tokens, hash auth.HashParams, limits Limits) (*Service, error) {
	dummy, err := auth.HashPassword("not a real password", hash)
	if err != nil {
		return nil, err
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return jsonName(f.Tag.Get("json")) })
	if err := v.RegisterValidation("login", func(fl validator.FieldLevel) bool {
		return chat.LoginChars(fl.Field().String())
	}); err != nil {
		return nil, fmt.Errorf("account: register validation: %w", err)
	}
	if err := v.RegisterValidation("nonul", func(fl validator.FieldLevel) bool {
		return !chat.HasNUL(fl.Field().String())
	}); err != nil {
		return nil, fmt.Errorf("account: register validation: %w", err)
	}
	return &Service{store: store, tokens: tokens, hash: hash, validate: v, limits: limits, dummyHash: dummy,
		hashing: make(chan struct{}, max(2, runtime.NumCPU()))}, nil
}

// Signup validates in, stores the user and returns its first session.
// Errors: validation_failed (with every invalid field), login_taken,
// rate_limited (with RetryAfter) after too many signups from addr.
func (s *Service) Signup(ctx context.Context, in SignupInput, addr string) (Session, error) {
	if s.limits.Signups != nil {
		if err := s.limits.Signups.Check(addr); err != nil {
			return Session{}, err
		}
		s.limits.Signups.Record(addr) // every attempt counts: each may cost a password hash
	}
	in.Login = chat.NormalizeLogin(in.Login)
	if err := s.check(in); err != nil {
		return Session{}, err
	}
	var hash string
	err := s.withHashSlot(ctx, func() (err error) { hash, err = auth.HashPassword(in.Password, s.hash); return err })
	if err != nil {
		return Session{}, err
	}
	u := chat.User{Login: in.Login, FirstName: in.FirstName, LastName: in.LastName, Age: *in.Age, Gender: in.Gender}
	if err := s.store.CreateUser(ctx, &u, hash); chat.ErrorCode(err) == chat.ELoginTaken {
		taken := chat.FieldProblem(chat.FieldTaken, "This login is already taken.")
		return Session{}, &chat.Error{Code: chat.ELoginTaken, Message: taken.Message,
			Fields: map[string]chat.FieldError{"login": taken}}
	} else if err != nil {
		return Session{}, err
	}
	return s.session(u)
}

// SignupProblems returns validation_failed with the problems of in (whose
// decoding stopped at a wrongly typed value) merged under typeErrors.
func (s *Service) SignupProblems(in SignupInput, typeErrors map[string]chat.FieldError) error {
	fields := map[string]chat.FieldError{}
	var ce *chat.Error
	if errors.As(s.check(in), &ce) {
		maps.Copy(fields, ce.Fields)
	}
	maps.Copy(fields, typeErrors)
	return chat.FieldsError(fields)
}

// Login checks credentials and returns a session. Errors:
// invalid_credentials for an unknown login or a wrong password alike,
// rate_limited (with RetryAfter) after repeated failures for the login from
// addr, or from addr for any login. Failures from other addresses never
// lock a user out.
func (s *Service) Login(ctx context.Context, in LoginInput, addr string) (Session, error) {
	if err := s.check(in); err != nil {
		return Session{}, err
	}
	login := chat.NormalizeLogin(in.Login)
	pair := addr + " " + login // a login has no space
	if err := s.limits.FailedLogins.Check(pair); err != nil {
		return Session{}, err
	}
	if err := s.limits.FailedLoginsByAddr.Check(addr); err != nil {
		return Session{}, err
	}
	u, hash, err := s.store.UserByLogin(ctx, login)
	if chat.ErrorCode(err) == chat.EUserNotFound {
		hash, err = s.dummyHash, nil
	}
	if err != nil {
		return Session{}, err
	}
	var ok bool
	err = s.withHashSlot(ctx, func() (err error) { ok, err = auth.CheckPassword(in.Password, hash); return err })
	if err != nil {
		return Session{}, err
	}
	if !ok || u.ID == 0 {
		s.limits.FailedLogins.Record(pair)
		s.limits.FailedLoginsByAddr.Record(addr)
		return Session{}, chat.Errorf(chat.EInvalidCredentials, "Wrong login or password.")
	}
	return s.session(u)
}

// User returns the account behind a verified identity.
func (s *Service) User(ctx context.Context, id auth.Identity) (chat.User, error) {
	u, err := s.store.UserByID(ctx, id.UserID)
	if chat.ErrorCode(err) == chat.EUserNotFound {
		return chat.User{}, chat.Errorf(chat.EUnauthorized, "The account of this token no longer exists.")
	}
	return u, err
}

// withHashSlot runs fn once one of the password-hashing slots is free.
func (s *Service) withHashSlot(ctx context.Context, fn func() error) error {
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
		return fn()
	case <-ctx.Done():
		return fmt.Errorf("account: waiting to hash a password: %w", ctx.Err())
	}
}

func (s *Service) session(u chat.User) (Session, error) {
	token, exp, err := s.tokens.Issue(u.ID, u.Login)
	if err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: exp, User: u}, nil
}

// check runs the validator and turns its report into validation_failed with
// one problem per field.
func (s *Service) check(in any) error {
	err := s.validate.Struct(in)
	var verrs validator.ValidationErrors
	if err == nil {
		return nil
	} else if !errors.As(err, &verrs) {
		return fmt.Errorf("account: validate: %w", err)
	}
	fields := map[string]chat.FieldError{}
	for _, fe := range verrs {
		fields[fe.Field()] = describe(fe)
	}
	return chat.FieldsError(fields)
}

// describe turns the rule a field broke into its field error. The rules are
// the struct tags above: min and max count characters of a text and bound
// the value of a number.
func describe(fe validator.FieldError) chat.FieldError {
	n, _ := strconv.Atoi(fe.Param())
	text := fe.Kind() == reflect.String
	switch {
	case fe.Tag() == "required":
		return chat.Required()
	case fe.Tag() == "min" && text:
		return chat.TooShort(n)
	case fe.Tag() == "min":
		return chat.AtLeast(n)
	case fe.Tag() == "max" && text:
		return chat.TooLong(n)
	case fe.Tag() == "max":
		return chat.AtMost(n)
	case fe.Tag() == "oneof":
		return chat.OneOf(strings.Fields(fe.Param()))
	case fe.Tag() == "login":
		return chat.FieldProblem(chat.FieldPattern, "Use only letters a–z, digits 0–9, underscores, dots and hyphens.")
	case fe.Tag() == "nonul":
		return chat.FieldProblem(chat.FieldPattern, "Must not contain the NUL character (U+0000).")
	}
	return chat.FieldProblem(chat.FieldInvalid, "This value is invalid.")
}

func jsonName(tag string) string {
	name, _, _ := strings.Cut(tag, ",")
	return name
}
