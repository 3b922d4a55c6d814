package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error codes: the machine-readable half of every error a client sees, over
// REST ({"error":{"code":…}}) and over the WebSocket (error envelopes). The
// HTTP status of each lives in one table in the httpapi package.
const (
	EInternal            = "internal"               // a fault of ours; details are logged, never shown
	EUnavailable         = "unavailable"            // the database is unreachable; retry later
	EInvalidRequest      = "invalid_request"        // malformed JSON, wrong types, bad query parameters
	EValidation          = "validation_failed"      // input fields break their rules; Fields names each
	EUnsupportedMedia    = "unsupported_media_type" // a body that is not application/json
	EPayloadTooLarge     = "payload_too_large"
	EUnauthorized        = "unauthorized"        // missing, expired or forged token
	EInvalidCredentials  = "invalid_credentials" // unknown login or wrong password, told apart by no one
	EForbidden           = "forbidden"
	ENotFound            = "not_found"
	EMethodNotAllowed    = "method_not_allowed"
	ELoginTaken          = "login_taken"
	ERateLimited         = "rate_limited"
	EUserNotFound        = "user_not_found"
	ERoomNotFound        = "room_not_found"
	ERoomExists          = "room_exists"
	EInvalidRoomName     = "invalid_room_name"
	ENotRoomOwner        = "not_room_owner"
	ECannotDeleteDefault = "cannot_delete_default"
	EInvalidText         = "invalid_text"
	EIDReused            = "id_reused" // a client id the sender gave an earlier, different message
	EUnknownCommand      = "unknown_command"
	EInvalidCommand      = "invalid_command" // a known command with missing or extra arguments
	EInvalidEnvelope     = "invalid_envelope"
	EUnknownType         = "unknown_type"
	EMessageNotFound     = "message_not_found" // no such message the caller may read, or it was deleted
	ENotAuthor           = "not_author"        // an edit (or delete) of someone else's message
	EInvalidEmoji        = "invalid_emoji"     // a reaction that is not one emoji
)

// Error is Sala's one error type. Code is stable and machine-readable,
// Message is for people, Fields maps input field names to what is wrong.
type Error struct {
	Code    string
	Message string
	Fields  map[string]FieldError
}

// Field error codes: the rule an input field broke (FieldError.Code). Clients
// word their own messages from the code and its parameters, so these names
// and parameters are part of the wire contract.
const (
	FieldRequired  = "required"
	FieldMin       = "min"        // a number below Min
	FieldMax       = "max"        // a number above Max
	FieldMinLength = "min_length" // a text shorter than Min characters
	FieldMaxLength = "max_length" // a text longer than Max characters
	FieldPattern   = "pattern"    // characters outside the field's set
	FieldOneOf     = "one_of"     // not one of Values
	FieldTaken     = "taken"      // unique, and already used (a login)
	FieldInvalid   = "invalid"    // anything else: the message says what
)

// FieldError is what is wrong with one input field: a rule code with its
// parameters for programs, and an English sentence for people.
type FieldError struct {
	Code    string   `json:"code"`
	Min     *int     `json:"min,omitempty"`
	Max     *int     `json:"max,omitempty"`
	Values  []string `json:"values,omitempty"`
	Message string   `json:"-"`
}

// Required is the field error of a missing field.
func Required() FieldError {
	return FieldError{Code: FieldRequired, Message: "This field is required."}
}

// AtLeast is the field error of a number below n.
func AtLeast(n int) FieldError {
	return FieldError{Code: FieldMin, Min: &n, Message: fmt.Sprintf("Must be at least %d.", n)}
}

// AtMost is the field error of a number above n.
func AtMost(n int) FieldError {
	return FieldError{Code: FieldMax, Max: &n, Message: fmt.Sprintf("Must be at most %d.", n)}
}

// TooShort is the field error of a text of fewer than n characters.
func TooShort(n int) FieldError {
	return FieldError{Code: FieldMinLength, Min: &n, Message: fmt.Sprintf("Must be at least %d characters.", n)}
}

// TooLong is the field error of a text of more than n characters.
func TooLong(n int) FieldError {
	return FieldError{Code: FieldMaxLength, Max: &n, Message: fmt.Sprintf("Must be at most %d characters.", n)}
}

// OneOf is the field error of a value outside values.
func OneOf(values []string) FieldError {
	return FieldError{Code: FieldOneOf, Values: values, Message: "Must be one of: " + strings.Join(values, ", ") + "."}
}

// FieldProblem is a field error of code with an English sentence.
func FieldProblem(code, message string) FieldError { return FieldError{Code: code, Message: message} }

func (e *Error) Error() string {
	return fmt.Sprintf("sala error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitError is rate_limited with the time to wait: the HTTP layer sends
// it as Retry-After (seconds to wait before trying again).
type RateLimitError struct {
	Err        *Error
	RetryAfter time.Duration // whole seconds, at least one
}

func (e *RateLimitError) Error() string { return e.Err.Error() }

// Unwrap lets ErrorCode and ErrorMessage find the code and the message.
func (e *RateLimitError) Unwrap() error { return e.Err }

// RateLimited is a rate_limited error whose client may retry after wait,
// rounded up to whole seconds (at least one: Retry-After counts seconds).
func RateLimited(wait time.Duration, format string, args ...any) *RateLimitError {
	secs := max(time.Second, (wait + time.Second - 1).Truncate(time.Second))
	return &RateLimitError{Err: Errorf(ERateLimited, format, args...), RetryAfter: secs}
}

// FieldsError is a validation_failed error naming every invalid field.
func FieldsError(fields map[string]FieldError) *Error {
	return &Error{Code: EValidation, Message: "Some fields are invalid.", Fields: fields}
}

// ErrorCode returns the code of an *Error anywhere in err's chain, or
// EInternal for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of an *Error, or a generic text for
// internal errors, whose details must not leak to clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
